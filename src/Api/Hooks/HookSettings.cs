using Microsoft.Extensions.Primitives;
using Platform.Api.Hosting;

namespace Platform.Api.Hooks;

/// <summary>
/// The hook rules in force: validated at start (a problem stops the start, naming the key) and again at
/// each configuration reload, where a problem is logged and the previous rules stay. Read at each decision,
/// so new connections use new rules and live ones are untouched.
/// </summary>
public sealed class HookSettings : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger _log;
    private readonly IDisposable _subscription;
    private HookRuleSet _current;
    private string? _lastProblem;

    public HookSettings(IConfiguration configuration, ILogger<HookSettings> log)
    {
        _configuration = configuration;
        _log = log;
        _current = LoadOrThrow(configuration);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public HookRuleSet Current => Volatile.Read(ref _current);

    /// <summary>Why the last reload was refused (the keys and problems), or null when it was applied.</summary>
    public string? LastProblem => Volatile.Read(ref _lastProblem);

    /// <summary>Validates the <c>Hooks</c> section as at start-up; throws <see cref="StartupException"/> naming the key.</summary>
    public static HookRuleSet LoadOrThrow(IConfiguration configuration)
    {
        var rules = HookRuleSet.Load(configuration, out var errors);
        if (errors.Count > 0)
        {
            throw new StartupException(string.Join("; ", errors));
        }

        return rules;
    }

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        try
        {
            var rules = HookRuleSet.Load(_configuration, out var errors);
            if (errors.Count > 0)
            {
                var problem = string.Join("; ", errors);
                if (problem != _lastProblem)
                {
                    _log.LogError("hooks: the reloaded configuration is not valid, the previous hook rules stay in force: {Problems}", problem);
                }

                Volatile.Write(ref _lastProblem, problem);
                return;
            }

            Volatile.Write(ref _current, rules);
            Volatile.Write(ref _lastProblem, null);
        }
        catch (Exception ex)
        {
            // A reload must never take the node down.
            _log.LogError(ex, "hooks: reloading the configuration failed, the previous hook rules stay in force");
        }
    }
}
