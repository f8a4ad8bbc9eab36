using System.Globalization;
using System.Text;

namespace Platform.Streams.Security;

/// <summary>Client-supplied text made safe to write into a log.</summary>
public static partial class LogText
{
    /// <summary>
    /// A URL or query string for the log with the values of its credential parameters (token, sign, secret,
    /// key, password, auth, and names containing them) replaced by <c>***</c>: a signed URL in a log is a
    /// working credential until it expires.
    /// </summary>
    public static string Redacted(string? urlOrQuery) =>
        string.IsNullOrEmpty(urlOrQuery) ? string.Empty : CredentialParameter().Replace(Printable(urlOrQuery), "$1***");

    [System.Text.RegularExpressions.GeneratedRegex(@"(?i)((?:^|[?&;])[^=&?;]*(?:token|sign|secret|key|password|passwd|auth)[^=&?;]*=)[^&;#\s]*")]
    private static partial System.Text.RegularExpressions.Regex CredentialParameter();

    /// <summary>A client-supplied text safe for one log line: control and invisible characters escaped, length bounded.</summary>
    public static string Printable(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(value.Length, 256));
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, 256)))
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return value.Length > 256 ? builder.Append("...").ToString() : builder.ToString();
    }
}
