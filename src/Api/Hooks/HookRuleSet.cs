using Microsoft.Extensions.Configuration;
using Platform.Streams;
using Platform.Workers.Rules;

namespace Platform.Api.Hooks;

/// <summary>
/// A validated <see cref="HooksOptions"/> as used at each decision: the URLs of an event for a stream and
/// the call limits. Pure; built once per (re)load.
/// </summary>
public sealed class HookRuleSet
{
    public const int MaxRetries = 10;
    public const int MaxQueueCapacity = 1_000_000;
    public const int MaxConcurrency = 1024;
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    private static readonly string[] TopKeys = ["Timeout", "Retries", "RetryDelay", "QueueCapacity", "Concurrency", "Rules"];
    private static readonly string[] RuleKeys = ["Vhost", "App", "Enabled", .. HookActions.All.Select(a => a.Key())];

    private readonly (string Vhost, string App, bool Enabled, Uri[][] Urls)[] _rules;

    private HookRuleSet(HooksOptions options)
    {
        Timeout = options.Timeout;
        Retries = options.Retries;
        RetryDelay = options.RetryDelay;
        QueueCapacity = options.QueueCapacity;
        Concurrency = options.Concurrency;
        _rules = options.Rules
            .Select(r => (r.Vhost, r.App, r.Enabled, HookActions.All.Select(a => r.UrlsFor(a).Select(u => new Uri(u.Trim(), UriKind.Absolute)).ToArray()).ToArray()))
            .ToArray();
    }

    public static HookRuleSet Empty { get; } = new(new HooksOptions());

    public TimeSpan Timeout { get; }

    public int Retries { get; }

    public TimeSpan RetryDelay { get; }

    public int QueueCapacity { get; }

    public int Concurrency { get; }

    /// <summary>Whether any rule names any URL (with none, hooks cost nothing).</summary>
    public bool HasAny => _rules.Any(r => r.Enabled && r.Urls.Any(u => u.Length > 0));

    /// <summary>Builds the rule set, or returns the problems, each naming its full key (<c>Hooks:Rules:0:OnPublish:1 = ...: ...</c>).</summary>
    public static HookRuleSet Create(HooksOptions options, out IReadOnlyList<string> errors)
    {
        errors = Validate(options);
        return errors.Count == 0 ? new HookRuleSet(options) : Empty;
    }

    /// <summary>Binds and validates the <c>Hooks</c> section, including keys the binder would silently ignore.</summary>
    public static HookRuleSet Load(IConfiguration configuration, out IReadOnlyList<string> errors)
    {
        var section = configuration.GetSection(HooksOptions.Section);
        var problems = new List<string>(UnknownKeys(section));
        HooksOptions options;
        try
        {
            options = section.Get<HooksOptions>() ?? new HooksOptions();
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the type: "Failed to convert configuration value at 'Hooks:Timeout' ...".
            problems.Add((ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})").TrimEnd('.'));
            errors = problems;
            return Empty;
        }

        problems.AddRange(Validate(options));
        errors = problems;
        return problems.Count == 0 ? new HookRuleSet(options) : Empty;
    }

    public static IReadOnlyList<string> Validate(HooksOptions options)
    {
        var errors = new List<string>();
        const string p = HooksOptions.Section;
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > MaxTimeout)
        {
            errors.Add($"{p}:Timeout = {options.Timeout}: must be more than zero and at most {MaxTimeout}");
        }

        if (options.Retries is < 0 or > MaxRetries)
        {
            errors.Add($"{p}:Retries = {options.Retries}: must be 0 to {MaxRetries}");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > MaxRetryDelay)
        {
            errors.Add($"{p}:RetryDelay = {options.RetryDelay}: must be 00:00:00 to {MaxRetryDelay}");
        }

        if (options.QueueCapacity is < 1 or > MaxQueueCapacity)
        {
            errors.Add($"{p}:QueueCapacity = {options.QueueCapacity}: must be 1 to {MaxQueueCapacity}");
        }

        if (options.Concurrency is < 1 or > MaxConcurrency)
        {
            errors.Add($"{p}:Concurrency = {options.Concurrency}: must be 1 to {MaxConcurrency}");
        }

        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            if (string.IsNullOrWhiteSpace(rule.Vhost))
            {
                errors.Add($"{p}:Rules:{i}:Vhost is empty: a vhost pattern is required (* for any)");
            }

            if (string.IsNullOrWhiteSpace(rule.App))
            {
                errors.Add($"{p}:Rules:{i}:App is empty: an app pattern is required (* for any)");
            }

            foreach (var action in HookActions.All)
            {
                var urls = rule.UrlsFor(action);
                for (var j = 0; j < urls.Count; j++)
                {
                    if (!IsHookUrl(urls[j]))
                    {
                        errors.Add($"{p}:Rules:{i}:{action.Key()}:{j} = {urls[j]}: not an absolute http or https URL (like http://127.0.0.1:8085/api/v1/streams)");
                    }
                }
            }
        }

        return errors;
    }

    public static bool IsHookUrl(string? value) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0
        && string.IsNullOrEmpty(uri.UserInfo);

    /// <summary>
    /// The URLs of <paramref name="action"/> for a stream of <paramref name="vhost"/>/<paramref name="app"/>:
    /// those of the first rule whose patterns match, in order; none when no rule matches.
    /// </summary>
    public IReadOnlyList<Uri> UrlsFor(HookAction action, string? vhost, string? app)
    {
        vhost ??= string.Empty;
        app ??= string.Empty;
        foreach (var rule in _rules)
        {
            if ((rule.Vhost == "*" || Glob.Matches(rule.Vhost, vhost) || (rule.Vhost == "default" && vhost == StreamKey.DefaultVhost))
                && Glob.Matches(rule.App, app))
            {
                return rule.Enabled ? rule.Urls[(int)action] : [];
            }
        }

        return [];
    }

    private static IEnumerable<string> UnknownKeys(IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
        {
            if (!TopKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{child.Path}: unknown key; the Hooks section takes {string.Join(", ", TopKeys)}";
            }
        }

        foreach (var rule in section.GetSection("Rules").GetChildren())
        {
            foreach (var child in rule.GetChildren())
            {
                if (!RuleKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    yield return $"{child.Path}: unknown key; a hook rule takes {string.Join(", ", RuleKeys)}";
                }
                else if (child.Value is { Length: > 0 } value && HookActions.All.Any(a => string.Equals(a.Key(), child.Key, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return $"{child.Path} = {value}: a list of URLs is expected ({child.Path}:0, {child.Path}:1, ... or a JSON array)";
                }
            }
        }
    }
}
