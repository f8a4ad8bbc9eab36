using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Streams.Security;

/// <summary>What a signed URL allows; part of the signed message, so a play token can never publish.</summary>
public enum TokenAction
{
    Publish,
    Play,
}

/// <summary>Why a token was refused; <see cref="Valid"/> when it was not.</summary>
public enum TokenProblem
{
    Valid,

    /// <summary>No <c>token</c> or no <c>expires</c> parameter.</summary>
    Missing,

    /// <summary>The signature does not match the stream, action and expiry, or is not well formed.</summary>
    Tampered,

    /// <summary>Signed correctly, but its expiry time has passed.</summary>
    Expired,
}

/// <summary>The outcome of checking a token: the problem and a sentence for the log (never for the client).</summary>
public readonly record struct TokenCheck(TokenProblem Problem, string Detail)
{
    public bool IsValid => Problem == TokenProblem.Valid;
}

/// <summary>
/// Signed URLs: <c>?expires=E&amp;token=T</c>, where E is the expiry in Unix seconds and T is the lowercase hex
/// of HMAC-SHA256, keyed by the UTF-8 bytes of the secret, over the UTF-8 bytes of
/// <c>{action}\n/{vhost}/{app}/{stream}\n{E}</c> (action <c>publish</c> or <c>play</c>; vhost
/// <c>__defaultVhost__</c> when the client names none). A token is valid up to and including second E.
/// </summary>
public static class StreamToken
{
    public const string TokenParameter = "token";
    public const string ExpiresParameter = "expires";

    /// <summary>HMAC-SHA256 is 32 bytes, 64 hex digits.</summary>
    public const int TokenLength = 64;

    /// <summary>The longest accepted <c>expires</c> (Unix seconds fit in 12 digits for 30000 years).</summary>
    private const int MaxExpiresDigits = 12;

    public static string ActionName(TokenAction action) => action == TokenAction.Publish ? "publish" : "play";

    public static bool TryParseAction(string? value, out TokenAction action)
    {
        action = TokenAction.Play;
        if (string.Equals(value, "publish", StringComparison.OrdinalIgnoreCase))
        {
            action = TokenAction.Publish;
            return true;
        }

        return string.Equals(value, "play", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The exact text that is signed.</summary>
    public static string Message(TokenAction action, StreamKey stream, long expires) =>
        string.Create(CultureInfo.InvariantCulture, $"{ActionName(action)}\n/{stream.Vhost}/{stream.App}/{stream.Stream}\n{expires}");

    /// <summary>The token (lowercase hex) for a stream, an action and an expiry.</summary>
    public static string Sign(string secret, TokenAction action, StreamKey stream, long expires) =>
        Convert.ToHexStringLower(Mac(secret, action, stream, expires));

    /// <summary>The query string a client appends to the stream's URL: <c>expires=E&amp;token=T</c>.</summary>
    public static string Query(string secret, TokenAction action, StreamKey stream, long expires) =>
        string.Create(CultureInfo.InvariantCulture, $"{ExpiresParameter}={expires}&{TokenParameter}={Sign(secret, action, stream, expires)}");

    /// <summary>
    /// Checks the <c>token</c> and <c>expires</c> parameters of <paramref name="param"/> (a query string
    /// without '?') at <paramref name="now"/> (Unix seconds). The signature is compared in constant time,
    /// and before the expiry, so that an expiry is only trusted once it is known to be signed.
    /// </summary>
    public static TokenCheck Verify(string secret, TokenAction action, StreamKey stream, string param, long now)
    {
        var token = QueryParameters.Last(param, TokenParameter);
        var expiresText = QueryParameters.Last(param, ExpiresParameter);
        if (string.IsNullOrEmpty(token))
        {
            return new TokenCheck(TokenProblem.Missing, "missing token (no token parameter)");
        }

        if (string.IsNullOrEmpty(expiresText))
        {
            return new TokenCheck(TokenProblem.Missing, "missing token (no expires parameter)");
        }

        if (expiresText.Length > MaxExpiresDigits || !expiresText.All(char.IsAsciiDigit))
        {
            return new TokenCheck(TokenProblem.Tampered, "tampered token (expires is not Unix seconds)");
        }

        Span<byte> given = stackalloc byte[TokenLength / 2];
        if (token.Length != TokenLength || Convert.FromHexString(token, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != given.Length)
        {
            return new TokenCheck(TokenProblem.Tampered, $"tampered token (not {TokenLength} hex digits)");
        }

        var expires = long.Parse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture);
        var expected = Mac(secret, action, stream, expires);
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return new TokenCheck(TokenProblem.Tampered, $"tampered token (signature does not match {ActionName(action)} of {stream} until {expires})");
        }

        if (now > expires)
        {
            return new TokenCheck(TokenProblem.Expired, string.Create(CultureInfo.InvariantCulture, $"expired token (expired at {expires}, {now - expires} s ago)"));
        }

        return new TokenCheck(TokenProblem.Valid, string.Empty);
    }

    private static byte[] Mac(string secret, TokenAction action, StreamKey stream, long expires) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(Message(action, stream, expires)));
}

/// <summary>Reads parameters from a query string without '?' (<c>a=1&amp;b=2</c>).</summary>
public static class QueryParameters
{
    /// <summary>
    /// The unescaped value of the last <paramref name="name"/> (case-insensitive), or null. The last one
    /// wins: RTMP clients' parameters are joined tcUrl first, stream name last.
    /// </summary>
    public static string? Last(string? query, string name)
    {
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }

        string? found = null;
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                found = eq < 0 ? string.Empty : Uri.UnescapeDataString(part[(eq + 1)..]);
            }
        }

        return found;
    }
}
