using System.Globalization;
using Platform.Streams;
using Platform.Streams.Security;

namespace Platform.Workers.Forward;

/// <summary>
/// An RTMP destination <c>rtmp://host[:port]/app/stream[?query]</c> split the way a publisher sends it, like
/// ffmpeg and SRS: the app is the path up to its last slash (it may have slashes), the stream the last
/// segment; <c>connect</c> names the app and <c>rtmp://host:port/app</c>, <c>publish</c> the stream with the query.
/// </summary>
public sealed partial record ForwardDestination(string Host, int Port, string App, string Stream, string Query)
{
    public const int DefaultPort = 1935;

    /// <summary>The tcUrl of <c>connect</c>.</summary>
    public string TcUrl => string.Create(CultureInfo.InvariantCulture, $"rtmp://{HostText}:{Port}/{App}");

    /// <summary>The name <c>publish</c> sends: the stream with its query.</summary>
    public string PublishName => Query.Length > 0 ? $"{Stream}?{Query}" : Stream;

    /// <summary>The whole URL (with credentials: never log it, use <see cref="Redacted"/>).</summary>
    public string Url => $"{TcUrl}/{PublishName}";

    /// <summary>The URL with the values of credential parameters replaced by <c>***</c>, for logs and the API.</summary>
    public string Redacted => LogText.Redacted(Url);

    private string HostText => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;

    public override string ToString() => Redacted;

    /// <summary>Parses <paramref name="url"/>; null and why it cannot be a destination.</summary>
    public static ForwardDestination? TryParse(string? url, out string? problem)
    {
        problem = Check(url, out var destination);
        return destination;
    }

    /// <summary>
    /// A destination template with <c>[vhost] [app] [stream] [engine]</c> replaced for <paramref name="stream"/>;
    /// <paramref name="engine"/> is the engine that made the stream (empty for a source).
    /// </summary>
    public static string Resolve(string template, StreamKey stream, string? engine) =>
        // One pass: a name that holds a variable's text (cam[engine]) is not substituted again.
        Variable().Replace(template.Trim(), m => m.Groups[1].Value switch
        {
            "vhost" => stream.Vhost,
            "app" => stream.App,
            "stream" => stream.Stream,
            _ => engine ?? string.Empty,
        });

    [System.Text.RegularExpressions.GeneratedRegex(@"\[(vhost|app|stream|engine)\]")]
    private static partial System.Text.RegularExpressions.Regex Variable();

    private static string? Check(string? url, out ForwardDestination? destination)
    {
        destination = null;
        const string scheme = "rtmp://";
        if (string.IsNullOrWhiteSpace(url))
        {
            return "is empty";
        }

        var shown = LogText.Redacted(url);
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return $"'{shown}' is not an rtmp:// URL";
        }

        if (url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"'{shown}' has spaces or control characters";
        }

        var rest = url[scheme.Length..];
        var query = string.Empty;
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return $"'{shown}' has no host or no path (rtmp://host[:port]/app/stream)";
        }

        var authority = rest[..slash];
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            return $"'{shown}' has credentials before the host, which RTMP does not carry: put them in the query";
        }

        if (!TrySplitHostPort(authority, out var host, out var port))
        {
            return $"'{shown}' has an invalid host or port";
        }

        var path = rest[(slash + 1)..];
        var last = path.LastIndexOf('/');
        if (last <= 0 || last == path.Length - 1)
        {
            return $"'{shown}' needs both an app and a stream name (rtmp://host[:port]/app/stream)";
        }

        var app = path[..last];
        var stream = path[(last + 1)..];
        if (app.Split('/').Any(s => s.Length == 0))
        {
            return $"'{shown}' has an empty segment in its app";
        }

        destination = new ForwardDestination(host, port, app, stream, query);
        return null;
    }

    private static bool TrySplitHostPort(string authority, out string host, out int port)
    {
        port = DefaultPort;
        string portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 2)
            {
                host = string.Empty;
                return false;
            }

            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length == 0)
            {
                return true;
            }

            if (after[0] != ':')
            {
                return false;
            }

            portText = after[1..];
        }
        else
        {
            var colon = authority.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                host = authority;
                return host.Length > 0;
            }

            host = authority[..colon];
            portText = authority[(colon + 1)..];
            if (host.Length == 0)
            {
                return false;
            }
        }

        return int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }
}
