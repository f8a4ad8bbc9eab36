using Platform.Streams;
using Platform.Streams.Security;

namespace Platform.Ingest.Rtmp;

/// <summary>
/// Pure parsing of what a client names in <c>connect</c> and <c>publish</c>/<c>play</c>: the app, the
/// stream, the vhost and the query-string parameters (kept for authentication), SRS-style: parameters may
/// come on the app (<c>live?token=x</c>), on the tcUrl, or on the stream name (<c>s1?token=x</c>).
/// </summary>
public static class RtmpUrl
{
    /// <summary>Splits <c>name?query</c>.</summary>
    public static (string Name, string Query) SplitQuery(string value)
    {
        var q = value.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? (value, string.Empty) : (value[..q], value[(q + 1)..]);
    }

    /// <summary>The host part of a tcUrl like <c>rtmp://host:1935/app</c>, or empty.</summary>
    public static string HostOf(string tcUrl)
    {
        var scheme = tcUrl.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return string.Empty;
        }

        var rest = tcUrl[(scheme + 3)..];
        var end = rest.IndexOfAny(['/', ':', '?']);
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>The value of <paramref name="key"/> in a query string (<c>a=1&amp;b=2</c>), or null.</summary>
    public static string? QueryValue(string query, string key)
    {
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? part : part[..eq];
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return eq < 0 ? string.Empty : Uri.UnescapeDataString(part[(eq + 1)..]);
            }
        }

        return null;
    }

    /// <summary>
    /// Resolves the stream a client names. The vhost comes from a <c>vhost</c> (or <c>domain</c>) parameter,
    /// else the default vhost (an IP or localhost tcUrl host is not a vhost). Returns null and a reason
    /// when a name is not acceptable.
    /// </summary>
    public static StreamKey? Resolve(string app, string streamName, string tcUrl, out string param, out string? error)
    {
        var (appName, appQuery) = SplitQuery(app.Trim('/'));
        var (stream, streamQuery) = SplitQuery(streamName);
        var (_, tcQuery) = SplitQuery(tcUrl);
        param = string.Join('&', new[] { tcQuery, appQuery, streamQuery }.Where(p => p.Length > 0));
        var vhost = QueryValue(param, "vhost") ?? QueryValue(param, "domain") ?? StreamKey.DefaultVhost;
        if (!StreamKey.IsValidName(appName))
        {
            error = $"invalid app name '{LogText.Printable(appName)}'";
            return null;
        }

        if (!StreamKey.IsValidName(stream))
        {
            error = $"invalid stream name '{LogText.Printable(stream)}'";
            return null;
        }

        if (!StreamKey.IsValidName(vhost))
        {
            error = $"invalid vhost '{LogText.Printable(vhost)}'";
            return null;
        }

        error = null;
        return new StreamKey(vhost, appName, stream);
    }
}
