namespace Platform.Streams;

/// <summary>
/// Identifies one live stream across the cluster: <c>vhost/app/stream</c>, the sharded entity id.
/// </summary>
public readonly record struct StreamKey(string Vhost, string App, string Stream)
{
    public const string DefaultVhost = "__defaultVhost__";

    public string EntityId => $"{Vhost}/{App}/{Stream}";

    /// <summary>The stream's URL path as SRS reports it: <c>/app/stream</c>.</summary>
    public string Url => $"/{App}/{Stream}";

    public override string ToString() => EntityId;

    public static StreamKey Parse(string entityId)
    {
        var first = entityId.IndexOf('/', StringComparison.Ordinal);
        var last = entityId.LastIndexOf('/');
        if (first <= 0 || last <= first || last == entityId.Length - 1)
        {
            throw new FormatException($"'{entityId}' is not vhost/app/stream.");
        }

        return new StreamKey(entityId[..first], entityId[(first + 1)..last], entityId[(last + 1)..]);
    }

    /// <summary>
    /// Whether a name can be used as an app or stream name: non-empty, bounded, no path separators,
    /// no dot-dot, no control characters, so that names can later become folder and file names safely.
    /// </summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 200 || name == "." || name.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c < 0x20 || c == 0x7F || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%' || c == ':')
            {
                return false;
            }
        }

        return true;
    }
}
