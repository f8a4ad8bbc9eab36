using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Platform.Workers.Rules;

namespace Platform.Api.Hosting;

/// <summary>
/// The <c>Apps</c> rules in force. Read again whenever the configuration changes (an edited settings
/// file): a valid new set applies to streams published from then on, streams already running keep their
/// workers; an invalid one is logged, key by key, and the previous rules stay.
/// </summary>
public sealed class AppRules : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly string _storageRoot;
    private readonly ILogger _log;
    private readonly HashSet<string> _hlsRoots = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly IDisposable? _subscription;
    private string _current;
    private volatile WorkerPlanner _planner;
    private volatile string[] _hlsRootList = [];

    public AppRules(IConfiguration configuration, IReadOnlyList<AppRule> initial, string storageRoot, ILogger log)
    {
        _configuration = configuration;
        _storageRoot = storageRoot;
        _log = log;
        _current = JsonSerializer.Serialize(initial);
        Unwritable = WorkerPlanner.UnwritableFolders(initial, storageRoot);
        _planner = Build(initial, Unwritable);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    /// <summary>Folders of the rules in force that cannot be written (with the key holding each).</summary>
    public IReadOnlyList<(string Key, string Folder, string Problem)> Unwritable { get; private set; }

    public WorkerPlanner Planner => _planner;

    /// <summary>Every HLS folder of the rules in force or in force earlier (streams started then still write there).</summary>
    public IReadOnlyList<string> HlsRoots => _hlsRootList;

    /// <summary>Times a changed rule set was applied.</summary>
    public int Reloads { get; private set; }

    private WorkerPlanner Build(IReadOnlyList<AppRule> rules, IReadOnlyList<(string Key, string Folder, string Problem)> unwritable)
    {
        lock (_lock)
        {
            var root = Path.GetFullPath(_storageRoot);
            foreach (var rule in rules)
            {
                _hlsRoots.Add(Path.GetFullPath(rule.Hls.Path, root));
            }

            _hlsRootList = [.. _hlsRoots];
        }

        return new WorkerPlanner(rules, _storageRoot, unwritable.ToDictionary(u => u.Folder, u => u.Problem));
    }

    /// <summary>Rules as configured now: the <c>Apps</c> list, or the default rule when there is none.</summary>
    public static (IReadOnlyList<AppRule> Rules, IReadOnlyList<string> Problems) Read(IConfiguration configuration)
    {
        var apps = new List<AppRule>();
        var bindProblem = ConfigValidator.TryBind(configuration.GetSection("Apps"), apps);
        if (bindProblem is not null)
        {
            return ([], [bindProblem]);
        }

        IReadOnlyList<AppRule> rules = apps.Count > 0 ? apps : [new AppRule()];
        return (rules, ConfigValidator.ValidateApps(apps));
    }

    private void Reload()
    {
        try
        {
            var (rules, problems) = Read(_configuration);
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    _log.LogError("configuration reload: {Problem}; the previous Apps rules stay in force", problem);
                }

                return;
            }

            var serialized = JsonSerializer.Serialize(rules);
            if (serialized == _current)
            {
                return;
            }

            var unwritable = WorkerPlanner.UnwritableFolders(rules, _storageRoot);
            foreach (var (key, folder, problem) in unwritable)
            {
                _log.LogError("{Key} = {Folder} cannot be written ({Problem}): streams it covers play, but are not packaged or recorded", key, folder, problem);
            }

            _planner = Build(rules, unwritable);
            Unwritable = unwritable;
            _current = serialized;
            Reloads++;
            _log.LogInformation("configuration reload: {Count} Apps rules in force for streams published from now on", rules.Count);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _log.LogError("configuration reload failed ({Error}); the previous Apps rules stay in force", ex.Message);
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
