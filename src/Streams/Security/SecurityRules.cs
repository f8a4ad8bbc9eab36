using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Platform.Streams.Security;

/// <summary>
/// The security rules in force. Loaded from the <c>Security</c> section at start-up (a wrong value stops
/// the start, see <see cref="Load"/>) and again on every configuration change: new connections see the new
/// rules, connections already admitted are not touched. A change with a wrong value is logged with its key
/// and ignored; the previous rules stay in force.
/// </summary>
public sealed class SecurityRules : IDisposable
{
    private static readonly HashSet<string> KnownRuleKeys = new(
        typeof(SecurityRule).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> KnownSectionKeys = new(
        typeof(SecurityOptions).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    private readonly IConfiguration _configuration;
    private readonly ILogger _log;
    private readonly IDisposable _subscription;
    private readonly Lock _gate = new();
    private SecurityPolicy _current;
    private string _fingerprint;
    private int _generation;

    /// <param name="validated">The rules already loaded and validated at start-up; without them, a wrong value throws.</param>
    public SecurityRules(IConfiguration configuration, ILogger<SecurityRules> log, (SecurityPolicy Policy, string Fingerprint)? validated = null)
    {
        _configuration = configuration;
        _log = log;
        if (validated is { } loaded)
        {
            (_current, _fingerprint) = loaded;
        }
        else
        {
            var (policy, fingerprint, errors) = Load(configuration);
            _current = policy ?? throw new InvalidOperationException(string.Join("; ", errors));
            _fingerprint = fingerprint;
        }

        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);

        // A change between start-up validation and this subscription is not missed.
        Reload();
    }

    /// <summary>The rules a new connection is checked against.</summary>
    public SecurityPolicy Current => Volatile.Read(ref _current);

    /// <summary>How many times new rules were put in force since start (for tests and diagnostics).</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Binds and compiles the section; on any wrong or unknown key, returns null and every problem with its key.</summary>
    public static (SecurityPolicy? Policy, string Fingerprint, IReadOnlyList<string> Errors) Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(SecurityOptions.Section);
        var errors = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (!KnownSectionKeys.Contains(child.Key))
            {
                errors.Add($"{child.Path} is not a known setting (known: {string.Join(", ", KnownSectionKeys)})");
            }
        }

        foreach (var rule in section.GetSection(nameof(SecurityOptions.Rules)).GetChildren())
        {
            foreach (var child in rule.GetChildren())
            {
                if (!KnownRuleKeys.Contains(child.Key))
                {
                    errors.Add($"{child.Path} is not a known setting (known: {string.Join(", ", KnownRuleKeys)})");
                }
            }
        }

        SecurityOptions options;
        try
        {
            options = section.Get<SecurityOptions>() ?? new SecurityOptions();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{section.Path}: {ex.Message}");
            return (null, string.Empty, errors);
        }

        var policy = SecurityPolicy.Compile(options, out var compileErrors);
        errors.AddRange(compileErrors);
        return errors.Count == 0 ? (policy, JsonSerializer.Serialize(options), errors) : (null, string.Empty, errors);
    }

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        lock (_gate)
        {
            ReloadLocked();
        }
    }

    private void ReloadLocked()
    {
        try
        {
            var (policy, fingerprint, errors) = Load(_configuration);
            if (policy is null)
            {
                foreach (var error in errors)
                {
                    _log.LogError("security rules not reloaded, the previous rules stay in force: {Error}", error);
                }

                return;
            }

            if (fingerprint == _fingerprint)
            {
                return;
            }

            _fingerprint = fingerprint;
            Volatile.Write(ref _current, policy);
            Interlocked.Increment(ref _generation);
            _log.LogInformation("security rules reloaded: {Count} rule(s) for new connections", policy.RuleCount);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "security rules not reloaded, the previous rules stay in force");
        }
    }
}
