using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Platform.Streams;

namespace Platform.Workers.Dvr;

/// <summary>
/// Expands SRS-style DVR path templates such as <c>./data/dvr/[app]/[stream].[2006][01][02]-[15][04][05].flv</c>.
/// Variables: <c>[vhost] [app] [stream]</c>, <c>[2006]</c> year, <c>[01]</c> month, <c>[02]</c> day, <c>[15]</c>
/// hour, <c>[04]</c> minute, <c>[05]</c> second, <c>[999]</c> milliseconds, <c>[timestamp]</c> Unix milliseconds;
/// times are taken in UTC. Any other bracketed text is kept as is.
/// </summary>
public static class DvrPathTemplate
{
    /// <summary>
    /// Expands <paramref name="template"/> and resolves it against <paramref name="root"/> (a relative template
    /// is taken relative to the root). Names are expected to be validated already; as a second line of defense,
    /// a result that is not strictly inside the root throws <see cref="ArgumentException"/>.
    /// Symbolic links are not resolved.
    /// </summary>
    public static string Expand(string template, string root, string vhost, string app, string stream, DateTimeOffset time)
    {
        ArgumentException.ThrowIfNullOrEmpty(template);
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(vhost);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(stream);

        var expanded = Substitute(template, vhost, app, stream, time.ToUniversalTime());
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var full = Path.GetFullPath(expanded, fullRoot);
        if (!IsStrictlyInside(full, fullRoot))
        {
            throw new ArgumentException(
                $"DVR path template '{template}' expands to '{full}', which is outside the DVR root '{fullRoot}'.",
                nameof(template));
        }

        return full;
    }

    /// <summary>Expands the template for a stream key; see the other overload.</summary>
    public static string Expand(string template, string root, StreamKey stream, DateTimeOffset time) =>
        Expand(template, root, stream.Vhost, stream.App, stream.Stream, time);

    /// <summary>Replaces the variables without resolving the path (for display and tests).</summary>
    public static string Substitute(string template, string vhost, string app, string stream, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(template);
        var utc = time.ToUniversalTime();
        var builder = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('[', i);
            if (open < 0)
            {
                builder.Append(template, i, template.Length - i);
                break;
            }

            var close = template.IndexOf(']', open + 1);
            if (close < 0)
            {
                builder.Append(template, i, template.Length - i);
                break;
            }

            builder.Append(template, i, open - i);
            var name = template.AsSpan(open + 1, close - open - 1);
            if (!TryAppendVariable(builder, name, vhost, app, stream, utc))
            {
                // Not a variable: keep the '[' and continue after it, so "[[app]" still expands [app].
                builder.Append('[');
                i = open + 1;
                continue;
            }

            i = close + 1;
        }

        return builder.ToString();
    }

    /// <summary>
    /// The reverse of <see cref="Expand(string, string, string, string, string, DateTimeOffset)"/>: whether
    /// <paramref name="path"/> is a name the template could have produced under <paramref name="root"/>, and if
    /// so the vhost, app and stream it was made for. A variable the template does not use comes back null.
    /// Used to put recordings recovered after a crash (whose stream is known only from their name) in the catalog.
    /// </summary>
    public static bool TryMatch(string template, string root, string path, out string? vhost, out string? app, out string? stream)
    {
        ArgumentException.ThrowIfNullOrEmpty(template);
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(path);
        vhost = app = stream = null;

        // Normalized like an expanded name is ('.' and '..' segments resolved against the root); names never
        // hold a separator, so a variable stays within its segment.
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var fullTemplate = Path.GetFullPath(template, fullRoot);
        var pattern = new StringBuilder("^");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < fullTemplate.Length)
        {
            var open = fullTemplate.IndexOf('[', i);
            var close = open < 0 ? -1 : fullTemplate.IndexOf(']', open + 1);
            if (close < 0)
            {
                pattern.Append(Regex.Escape(fullTemplate[i..]));
                break;
            }

            pattern.Append(Regex.Escape(fullTemplate[i..open]));
            var name = fullTemplate[(open + 1)..close];
            var variable = VariablePattern(name, seen);
            if (variable is null)
            {
                pattern.Append(Regex.Escape("["));
                i = open + 1;
                continue;
            }

            pattern.Append(variable);
            i = close + 1;
        }

        pattern.Append('$');
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? RegexOptions.IgnoreCase : RegexOptions.None;
        var match = Regex.Match(Path.GetFullPath(path), pattern.ToString(), comparison | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (!match.Success)
        {
            return false;
        }

        vhost = match.Groups["vhost"].Success ? match.Groups["vhost"].Value : null;
        app = match.Groups["app"].Success ? match.Groups["app"].Value : null;
        stream = match.Groups["stream"].Success ? match.Groups["stream"].Value : null;
        return (vhost is null || StreamKey.IsValidName(vhost)) && (app is null || StreamKey.IsValidName(app)) && (stream is null || StreamKey.IsValidName(stream));
    }

    /// <summary>The regular expression a variable expands to (a back-reference when a name repeats); null if not a variable.</summary>
    private static string? VariablePattern(string name, HashSet<string> seen)
    {
        switch (name)
        {
            case "vhost" or "app" or "stream":
                var separators = Regex.Escape(new string([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]));
                return seen.Add(name) ? $"(?<{name}>[^{separators}]+?)" : $"\\k<{name}>";
            case "2006":
                return "[0-9]{4}";
            case "01" or "02" or "15" or "04" or "05":
                return "[0-9]{2}";
            case "999":
                return "[0-9]{3}";
            case "timestamp":
                return "-?[0-9]+";
            default:
                return null;
        }
    }

    private static bool TryAppendVariable(
        StringBuilder builder, ReadOnlySpan<char> name, string vhost, string app, string stream, DateTimeOffset utc)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (name)
        {
            case "vhost":
                builder.Append(vhost);
                return true;
            case "app":
                builder.Append(app);
                return true;
            case "stream":
                builder.Append(stream);
                return true;
            case "2006":
                builder.Append(utc.Year.ToString("D4", invariant));
                return true;
            case "01":
                builder.Append(utc.Month.ToString("D2", invariant));
                return true;
            case "02":
                builder.Append(utc.Day.ToString("D2", invariant));
                return true;
            case "15":
                builder.Append(utc.Hour.ToString("D2", invariant));
                return true;
            case "04":
                builder.Append(utc.Minute.ToString("D2", invariant));
                return true;
            case "05":
                builder.Append(utc.Second.ToString("D2", invariant));
                return true;
            case "999":
                builder.Append(utc.Millisecond.ToString("D3", invariant));
                return true;
            case "timestamp":
                builder.Append(utc.ToUnixTimeMilliseconds().ToString(invariant));
                return true;
            default:
                return false;
        }
    }

    private static bool IsStrictlyInside(string full, string fullRoot)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;
        var prefix = Path.EndsInDirectorySeparator(fullRoot) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
        return full.Length > prefix.Length && full.StartsWith(prefix, comparison);
    }
}
