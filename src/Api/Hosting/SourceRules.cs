using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Platform.Sources.Config;

namespace Platform.Api.Hosting;

/// <summary>
/// The <c>Sources</c> entries in force, read again whenever the configuration changes (like the <c>Apps</c>
/// rules): a valid new set applies to sources started from then on (a running pull keeps going until it is
/// no longer wanted; an always-on source removed from the list stops when its keep-alives stop); an invalid
/// one is logged key by key and the previous entries stay. Apps' upstream origins are read from the
/// <see cref="AppRules"/> in force at each lookup.
/// </summary>
public sealed class SourceRules : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly AppRules _apps;
    private readonly ILogger _log;
    private readonly IDisposable? _subscription;
    private string _current;
    private volatile SourceCatalog _catalog;

    public SourceRules(IConfiguration configuration, IReadOnlyList<SourceRule> initial, AppRules apps, ILogger log)
    {
        _configuration = configuration;
        _apps = apps;
        _log = log;
        _current = JsonSerializer.Serialize(initial);
        _catalog = Build(initial);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public SourceCatalog Catalog => _catalog;

    /// <summary>The entries as configured now (the list that built <see cref="Catalog"/>).</summary>
    public IReadOnlyList<SourceRule> Rules { get; private set; } = [];

    private SourceCatalog Build(IReadOnlyList<SourceRule> rules)
    {
        Rules = rules;
        return new SourceCatalog(rules, stream => _apps.Planner.OriginsOf(stream));
    }

    private void Reload()
    {
        try
        {
            var rules = new List<SourceRule>();
            var problem = ConfigValidator.TryBind(_configuration.GetSection("Sources"), rules);
            var problems = problem is null ? SourceCatalog.Validate(rules) : [problem];
            if (problems.Count > 0)
            {
                foreach (var p in problems)
                {
                    _log.LogError("configuration reload: {Problem}; the previous Sources stay in force", p);
                }

                return;
            }

            var serialized = JsonSerializer.Serialize(rules);
            if (serialized == _current)
            {
                return;
            }

            _catalog = Build(rules);
            _current = serialized;
            _log.LogInformation("configuration reload: {Count} Sources in force", rules.Count);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _log.LogError("configuration reload failed ({Error}); the previous Sources stay in force", ex.Message);
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
