using System.Text.Json;

namespace Platform.Api.Hooks;

/// <summary>
/// What counts as a hook's "yes", as SRS reads it: HTTP 200 or 201 with a body that is the number
/// <c>0</c>, or a JSON object whose <c>code</c> is the integer <c>0</c> (other members are ignored).
/// Whitespace around the body is tolerated. Everything else is a "no": another status (2xx included),
/// an empty body, any other number or text (<c>1</c>, <c>00</c>, <c>0.0</c>, <c>"0"</c>, <c>ok</c>), an
/// object without <c>code</c> or with a non-integer or non-zero <c>code</c>, a body that is not JSON.
/// </summary>
public static class HookResponse
{
    /// <summary>Bodies longer than this are not read (a hook answers with a few bytes).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Null when the answer allows; otherwise why not (for the log).</summary>
    public static string? Reject(int status, string? body)
    {
        if (status is not (200 or 201))
        {
            return $"HTTP {status}";
        }

        var text = (body ?? string.Empty).Trim().Trim('\uFEFF').Trim();
        if (text.Length == 0)
        {
            return $"HTTP {status} with an empty body";
        }

        if (text == "0")
        {
            return null;
        }

        if (text[0] != '{')
        {
            return $"HTTP {status} with body {Quote(text)}, not 0";
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            if (!json.RootElement.TryGetProperty("code", out var code))
            {
                return $"HTTP {status} with a JSON object without code: {Quote(text)}";
            }

            return code.ValueKind == JsonValueKind.Number && code.TryGetInt64(out var value) && value == 0
                ? null
                : $"HTTP {status} with code {Quote(code.GetRawText())}: {Quote(text)}";
        }
        catch (JsonException)
        {
            return $"HTTP {status} with a body that is not JSON: {Quote(text)}";
        }
    }

    private static string Quote(string text) => text.Length <= 200 ? $"'{text}'" : $"'{text[..200]}...'";
}
