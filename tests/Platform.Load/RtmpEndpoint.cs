namespace Platform.Load;

/// <summary>
/// An RTMP URL <c>rtmp://host[:port]/app/stream[?query]</c> split the way a client sends it: the app is
/// the first path segment, the stream name is the rest (with its query), tcUrl is <c>rtmp://host:port/app</c>.
/// </summary>
public sealed record RtmpEndpoint(string Host, int Port, string App, string Stream)
{
    public const int DefaultPort = 1935;

    public string TcUrl => $"rtmp://{Host}:{Port}/{App}";

    public override string ToString() => $"{TcUrl}/{Stream}";

    public static RtmpEndpoint Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        const string scheme = "rtmp://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"'{url}' is not an rtmp:// URL.");
        }

        var rest = url[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new FormatException($"'{url}' has no host or no path.");
        }

        var (host, port) = SplitHostPort(rest[..slash], url);
        var path = rest[(slash + 1)..];
        var appEnd = path.IndexOf('/', StringComparison.Ordinal);
        if (appEnd <= 0 || appEnd == path.Length - 1)
        {
            throw new FormatException($"'{url}' needs both an app and a stream name (rtmp://host/app/stream).");
        }

        return new RtmpEndpoint(host, port, path[..appEnd], path[(appEnd + 1)..]);
    }

    /// <summary>The same endpoint with another stream name.</summary>
    public RtmpEndpoint WithStream(string stream) => this with { Stream = stream };

    /// <summary>
    /// The endpoint of <paramref name="urlPrefix"/> with <paramref name="index"/> appended to its stream name,
    /// before any query: <c>rtmp://h/live/s?k=v</c> and 3 give stream <c>s3?k=v</c>.
    /// </summary>
    public static RtmpEndpoint Indexed(string urlPrefix, int index)
    {
        var prefix = Parse(urlPrefix);
        var query = prefix.Stream.IndexOf('?', StringComparison.Ordinal);
        return query < 0
            ? prefix.WithStream(prefix.Stream + index)
            : prefix.WithStream(string.Concat(prefix.Stream.AsSpan(0, query), index.ToString(), prefix.Stream.AsSpan(query)));
    }

    private static (string Host, int Port) SplitHostPort(string authority, string url)
    {
        var colon = authority.LastIndexOf(':');
        if (colon < 0 || authority.EndsWith(']'))
        {
            return (authority.Trim('[', ']'), DefaultPort);
        }

        if (!int.TryParse(authority.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
        {
            throw new FormatException($"'{url}' has an invalid port.");
        }

        return (authority[..colon].Trim('[', ']'), port);
    }
}
