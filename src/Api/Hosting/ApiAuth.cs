using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Api.Hosting;

/// <summary>Credentials the HTTP API asks for: a bearer token, a user name and password (basic), or both.</summary>
public sealed class ApiAuthOptions
{
    /// <summary>Accepted as <c>Authorization: Bearer TOKEN</c>.</summary>
    public string? Token { get; set; }

    /// <summary>With <see cref="Password"/>, accepted as <c>Authorization: Basic base64(user:password)</c>.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool HasToken => !string.IsNullOrEmpty(Token);

    public bool HasBasic => !string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(Password);

    public bool Any => HasToken || HasBasic;
}

public enum ApiAuthResult
{
    Allowed,

    /// <summary>No usable <c>Authorization</c> header.</summary>
    Missing,

    /// <summary>Credentials given, but not the configured ones.</summary>
    Wrong,
}

/// <summary>
/// Pure decisions about the API's protection: whether a configuration is acceptable (and which key is
/// wrong if not), and whether a request's <c>Authorization</c> header carries the configured credentials.
/// Credentials are compared as SHA-256 digests in constant time, so neither their content nor their length
/// shows in the time an answer takes.
/// </summary>
public sealed class ApiAuthenticator
{
    public const int MinTokenLength = 16;
    public const int MinPasswordLength = 8;
    public const string Realm = "platform-api";

    private readonly byte[]? _token;
    private readonly byte[]? _basic;

    public ApiAuthenticator(ApiAuthOptions options)
    {
        _token = options.HasToken ? SHA256.HashData(Encoding.UTF8.GetBytes(options.Token!)) : null;
        _basic = options.HasBasic ? SHA256.HashData(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")) : null;
        var challenges = new List<string>();
        if (_token is not null)
        {
            challenges.Add($"Bearer realm=\"{Realm}\"");
        }

        if (_basic is not null)
        {
            challenges.Add($"Basic realm=\"{Realm}\", charset=\"UTF-8\"");
        }

        Challenges = [.. challenges];
    }

    /// <summary>False when no credentials are configured: every request is let through.</summary>
    public bool Required => _token is not null || _basic is not null;

    /// <summary>The <c>WWW-Authenticate</c> values of a 401 answer.</summary>
    public IReadOnlyList<string> Challenges { get; }

    /// <summary>Adds the <c>WWW-Authenticate</c> headers of a 401 answer to <paramref name="response"/>.</summary>
    public void Challenge(HttpResponse response)
    {
        foreach (var challenge in Challenges)
        {
            response.Headers.Append(Microsoft.Net.Http.Headers.HeaderNames.WWWAuthenticate, challenge);
        }
    }

    public ApiAuthResult Check(string? authorization)
    {
        if (!Required)
        {
            return ApiAuthResult.Allowed;
        }

        if (string.IsNullOrWhiteSpace(authorization))
        {
            return ApiAuthResult.Missing;
        }

        var value = authorization.Trim();
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return ApiAuthResult.Missing;
        }

        var scheme = value[..space];
        var credentials = value[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && _token is not null)
        {
            return Matches(_token, Encoding.UTF8.GetBytes(credentials)) ? ApiAuthResult.Allowed : ApiAuthResult.Wrong;
        }

        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && _basic is not null)
        {
            var decoded = new byte[(credentials.Length * 3 / 4) + 3];
            return Convert.TryFromBase64String(credentials, decoded, out var length) && Matches(_basic, decoded.AsSpan(0, length))
                ? ApiAuthResult.Allowed
                : ApiAuthResult.Wrong;
        }

        return ApiAuthResult.Missing;
    }

    /// <summary>
    /// What is wrong with the API's settings, naming the key, or null. <paramref name="bindAddress"/> is
    /// the address the API listens on: anything but loopback needs credentials unless
    /// <paramref name="allowAnonymous"/> says the operator opens it on purpose.
    /// </summary>
    public static string? Validate(ApiAuthOptions auth, string bindAddress, bool allowAnonymous, string section = "Api")
    {
        if (auth.HasToken)
        {
            var token = auth.Token!;
            if (token.Length < MinTokenLength || token.Any(c => c is < '!' or > '~'))
            {
                return $"{section}:Auth:Token is {token.Length} characters: a token needs at least {MinTokenLength} printable ASCII characters and no spaces";
            }
        }

        if (auth.HasBasic)
        {
            if (string.IsNullOrEmpty(auth.Username))
            {
                return $"{section}:Auth:Username is empty but {section}:Auth:Password is set: set both or neither";
            }

            if (auth.Username.Any(c => c == ':' || char.IsControl(c)))
            {
                return $"{section}:Auth:Username contains ':' or a control character, which basic authentication cannot carry";
            }

            if (string.IsNullOrEmpty(auth.Password))
            {
                return $"{section}:Auth:Password is empty but {section}:Auth:Username is set: set both or neither";
            }

            if (auth.Password.Length < MinPasswordLength)
            {
                return $"{section}:Auth:Password is {auth.Password.Length} characters: at least {MinPasswordLength} are needed";
            }
        }

        if (!auth.Any && !allowAnonymous && !IsLoopback(bindAddress))
        {
            return $"{section}:BindAddress = {bindAddress} opens the {(section == "Api" ? "HTTP API" : section.ToLowerInvariant() + " endpoints")} beyond this machine with no {section}:Auth: set {section}:Auth:Token "
                + $"(at least {MinTokenLength} characters) or {section}:Auth:Username and {section}:Auth:Password, "
                + $"or {section}:AllowAnonymous=true to open it without authentication on purpose";
        }

        return null;
    }

    public static bool IsLoopback(string address) => IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);

    private static bool Matches(byte[] expected, ReadOnlySpan<byte> given) =>
        CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(given));
}
