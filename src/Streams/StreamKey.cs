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

    /// <summary>Parses an entity id received from outside (another node); false unless it is a valid stream name.</summary>
    public static bool TryParse(string entityId, out StreamKey key)
    {
        key = default;
        var first = entityId.IndexOf('/', StringComparison.Ordinal);
        var last = entityId.LastIndexOf('/');
        if (first <= 0 || last <= first || last == entityId.Length - 1)
        {
            return false;
        }

        var parsed = Parse(entityId);
        if (!IsValidName(parsed.Vhost) || !IsValidName(parsed.Stream) || !parsed.App.Split('/').All(IsValidName))
        {
            return false;
        }

        key = parsed;
        return true;
    }

    /// <summary>The longest app, stream or vhost name, in UTF-8 bytes (a file name may hold 255).</summary>
    public const int MaxNameBytes = 200;

    /// <summary>
    /// Whether a name can be used as a vhost, app or stream name, so that it can become a folder or file
    /// name without leaving its root on any system: non-empty, at most <see cref="MaxNameBytes"/> UTF-8
    /// bytes, no dot-dot, no path separators or characters that file systems or URLs treat specially
    /// (<c>/ \ ? # % : * " &lt; &gt; |</c>), no control or invisible formatting characters, no broken
    /// UTF-16 (a lone surrogate cannot be written as a file name faithfully).
    /// </summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameBytes || name == "." || name.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        var bytes = 0;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= name.Length || !char.IsLowSurrogate(name[i + 1]))
                {
                    return false;
                }

                i++;
                bytes += 4;
                continue;
            }

            if (char.IsLowSurrogate(c) || char.IsControl(c) || IsForbidden(c))
            {
                return false;
            }

            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }

        return bytes <= MaxNameBytes;
    }

    /// <summary>
    /// Whether a path below a stream's folder (<c>s1.m3u8</c>, <c>s1/12.ts</c>) is made only of valid names
    /// joined by <c>/</c>: no empty, dot or dot-dot segment, no backslash, no escapes.
    /// </summary>
    public static bool IsValidRelativePath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > 4 * MaxNameBytes)
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            if (!IsValidName(segment))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsForbidden(char c) =>
        c is '/' or '\\' or '?' or '#' or '%' or ':' or '*' or '"' or '<' or '>' or '|'
        || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;
}
