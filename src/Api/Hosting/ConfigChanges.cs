using Microsoft.Extensions.Primitives;

namespace Platform.Api.Hosting;

/// <summary>
/// What a configuration reload changed, key by key, for the log: each component then logs whether it applied
/// its part. Values of keys that hold secrets (tokens, passwords, secrets, keys) are never written.
/// </summary>
public static class ConfigChanges
{
    private static readonly string[] SecretWords = ["secret", "token", "password"];

    /// <summary>"Apps:0:Hls:Fragment: 00:00:04 -> 00:00:02", "Apps:1:App: added (live2)", "Hooks:OnPublish:0: removed", in key order.</summary>
    public static IReadOnlyList<string> Diff(IReadOnlyDictionary<string, string?> before, IReadOnlyDictionary<string, string?> after)
    {
        var changes = new List<string>();
        foreach (var key in before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
        {
            var had = before.TryGetValue(key, out var old);
            var has = after.TryGetValue(key, out var now);
            if (had && has && string.Equals(old, now, StringComparison.Ordinal))
            {
                continue;
            }

            var secret = IsSecret(key);
            changes.Add((had, has) switch
            {
                (false, _) => secret ? $"{key}: added" : $"{key}: added ({now})",
                (_, false) => $"{key}: removed",
                _ => secret ? $"{key}: changed" : $"{key}: {old} -> {now}",
            });
        }

        return changes;
    }

    /// <summary>The configuration's values (sections without values left out), keyed case-insensitively.</summary>
    public static Dictionary<string, string?> Snapshot(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>Logs every reload's changes (a reload that changed nothing logs nothing).</summary>
    public static IDisposable Watch(IConfiguration configuration, ILogger log)
    {
        var last = Snapshot(configuration);
        return ChangeToken.OnChange(configuration.GetReloadToken, () =>
        {
            var now = Snapshot(configuration);
            var changes = Diff(last, now);
            last = now;
            if (changes.Count > 0)
            {
                log.LogInformation("configuration reload: {Count} change(s): {Changes}", changes.Count, string.Join("; ", changes));
            }
        });
    }

    private static bool IsSecret(string key)
    {
        var last = key[(key.LastIndexOf(':') + 1)..];
        return SecretWords.Any(w => last.Contains(w, StringComparison.OrdinalIgnoreCase)) || last.EndsWith("key", StringComparison.OrdinalIgnoreCase);
    }
}
