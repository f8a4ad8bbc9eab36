using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Platform.Streams.Access;
using Platform.Streams.Clients;

namespace Platform.Streams.Security;

/// <summary>
/// A decision of the security rules: whether the client may go on, what the client is told (never why
/// in detail) and what the log says (which rule and why: missing, tampered or expired token, wrong key,
/// denied address, invalid name).
/// </summary>
public readonly record struct SecurityVerdict(bool Allowed, string ClientReason, string Detail)
{
    public static readonly SecurityVerdict Allow = new(true, string.Empty, string.Empty);

    public static SecurityVerdict Deny(string clientReason, string detail) => new(false, clientReason, detail);
}

/// <summary>A freshly signed URL: the token, its expiry and the query string to append.</summary>
public sealed record MintedToken(TokenAction Action, StreamKey Stream, long Expires, string Token, string Query);

/// <summary>
/// The compiled <c>Security:Rules</c>: pure decisions for connect, publish and play, whatever the protocol,
/// and token minting. Built by <see cref="Compile"/>, which names the key of every wrong value.
/// </summary>
public sealed class SecurityPolicy
{
    /// <summary>What a refused client is told; the reason is only in the server's log.</summary>
    public const string AccessDenied = "access denied";

    public const string InvalidName = "invalid stream name";

    public const string KeyParameter = "key";

    public const int MinSecretLength = 16;

    /// <summary>The longest lifetime a minted token may have (ten years).</summary>
    public const long MaxTtlSeconds = 10L * 366 * 24 * 3600;

    public static readonly SecurityPolicy Open = new([]);

    private readonly IReadOnlyList<Rule> _rules;

    private SecurityPolicy(IReadOnlyList<Rule> rules)
    {
        _rules = rules;
    }

    public int RuleCount => _rules.Count;

    /// <summary>Compiles the options; every problem is returned with its full key, and then the result is null.</summary>
    public static SecurityPolicy? Compile(SecurityOptions options, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var rules = new List<Rule>();
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            var key = $"{SecurityOptions.Section}:Rules:{i}";
            foreach (var (name, pattern) in new[] { ("Vhost", rule.Vhost), ("App", rule.App), ("Stream", rule.Stream) })
            {
                if (string.IsNullOrWhiteSpace(pattern))
                {
                    problems.Add($"{key}:{name} is empty; use * for any");
                }
            }

            CheckSecret(problems, $"{key}:PublishSecret", rule.PublishSecret);
            CheckSecret(problems, $"{key}:PlaySecret", rule.PlaySecret);
            var keys = new List<byte[]>();
            for (var k = 0; k < rule.PublishKeys.Count; k++)
            {
                if (string.IsNullOrWhiteSpace(rule.PublishKeys[k]))
                {
                    problems.Add($"{key}:PublishKeys:{k} is empty; a publish key needs at least one character");
                    continue;
                }

                keys.Add(SHA256.HashData(Encoding.UTF8.GetBytes(rule.PublishKeys[k])));
            }

            var connect = ParseList(problems, $"{key}:ConnectAccess", rule.ConnectAccess);
            if (connect.Entries.Count > 0 && rule.Stream != "*")
            {
                problems.Add($"{key}:ConnectAccess needs {key}:Stream = * (a connect names no stream yet), not '{rule.Stream}'");
            }

            rules.Add(new Rule(
                key,
                rule.Vhost,
                rule.App,
                rule.Stream,
                rule.PublishSecret,
                rule.PlaySecret,
                keys,
                connect,
                ParseList(problems, $"{key}:PublishAccess", rule.PublishAccess),
                ParseList(problems, $"{key}:PlayAccess", rule.PlayAccess)));
        }

        errors = problems;
        return problems.Count == 0 ? new SecurityPolicy(rules) : null;
    }

    /// <summary>Decides whether <paramref name="client"/> may do <paramref name="action"/> at <paramref name="now"/> (Unix seconds).</summary>
    public SecurityVerdict Decide(AccessAction action, ClientInfo client, long now)
    {
        var vhost = client.Stream.Vhost ?? string.Empty;
        var app = client.Stream.App ?? string.Empty;
        var name = client.Stream.Stream ?? string.Empty;
        if (action != AccessAction.Connect && (!StreamKey.IsValidName(vhost) || !StreamKey.IsValidName(app) || !StreamKey.IsValidName(name)))
        {
            return SecurityVerdict.Deny(InvalidName, $"invalid name in {LogText.Printable(vhost)}/{LogText.Printable(app)}/{LogText.Printable(name)}");
        }

        var stream = new StreamKey(vhost, app, name);
        var rule = Find(stream, action == AccessAction.Connect);
        if (rule is null)
        {
            return SecurityVerdict.Allow;
        }

        var (listName, list) = action switch
        {
            AccessAction.Connect => ("ConnectAccess", rule.ConnectAccess),
            AccessAction.Publish => ("PublishAccess", rule.PublishAccess),
            _ => ("PlayAccess", rule.PlayAccess),
        };
        var (allowed, entry) = list.Evaluate(client.Ip);
        if (!allowed)
        {
            return SecurityVerdict.Deny(AccessDenied, $"{rule.Key}:{listName}:{entry} ({list.Entries[entry]}) denies address {LogText.Printable(client.Ip)}");
        }

        return action switch
        {
            AccessAction.Publish => DecidePublish(rule, stream, client.Param, now),
            AccessAction.Play when rule.PlaySecret is not null => FromToken(rule, StreamToken.Verify(rule.PlaySecret, TokenAction.Play, stream, client.Param, now), "play"),
            _ => SecurityVerdict.Allow,
        };
    }

    /// <summary>
    /// Signs a URL for <paramref name="stream"/> with the secret of the rule that covers it, valid for
    /// <paramref name="ttlSeconds"/> from <paramref name="now"/>; or says why it cannot.
    /// </summary>
    public MintedToken? Mint(TokenAction action, StreamKey stream, long ttlSeconds, long now, out string error)
    {
        error = string.Empty;
        if (!StreamKey.IsValidName(stream.Vhost) || !StreamKey.IsValidName(stream.App) || !StreamKey.IsValidName(stream.Stream))
        {
            error = $"{InvalidName}: {LogText.Printable(stream.Vhost)}/{LogText.Printable(stream.App)}/{LogText.Printable(stream.Stream)}";
            return null;
        }

        if (ttlSeconds is <= 0 or > MaxTtlSeconds)
        {
            error = $"ttl must be 1-{MaxTtlSeconds} seconds";
            return null;
        }

        var rule = Find(stream, connect: false);
        var secretName = action == TokenAction.Publish ? "PublishSecret" : "PlaySecret";
        var secret = action == TokenAction.Publish ? rule?.PublishSecret : rule?.PlaySecret;
        if (rule is null || secret is null)
        {
            // Say what to add: a token is signed with a rule's secret, so a rule with that secret must cover the stream.
            error = rule is null
                ? $"no rule in {SecurityOptions.Section}:Rules covers {stream.App}/{stream.Stream} on vhost {stream.Vhost}: add one with a {secretName}, e.g. --{SecurityOptions.Section}:Rules:0:App={stream.App} --{SecurityOptions.Section}:Rules:0:{secretName}=<a secret of 16+ characters> (or in appsettings.json)"
                : $"{rule.Key} covers {stream.App}/{stream.Stream} on vhost {stream.Vhost} but has no {secretName}: add --{rule.Key}:{secretName}=<a secret of 16+ characters> (or in appsettings.json)";
            return null;
        }

        var expires = now + ttlSeconds;
        var query = StreamToken.Query(secret, action, stream, expires);
        if (stream.Vhost != StreamKey.DefaultVhost)
        {
            query = $"vhost={Uri.EscapeDataString(stream.Vhost)}&{query}";
        }

        return new MintedToken(action, stream, expires, StreamToken.Sign(secret, action, stream, expires), query);
    }

    /// <summary>The key of the rule covering a stream (for tests and the log), or null.</summary>
    public string? RuleFor(StreamKey stream, bool connect = false) => Find(stream, connect)?.Key;

    private static SecurityVerdict DecidePublish(Rule rule, StreamKey stream, string param, long now)
    {
        if (rule.PublishSecret is null && rule.PublishKeys.Count == 0)
        {
            return SecurityVerdict.Allow;
        }

        var details = new List<string>(2);
        if (rule.PublishSecret is not null)
        {
            var token = StreamToken.Verify(rule.PublishSecret, TokenAction.Publish, stream, param, now);
            if (token.IsValid)
            {
                return SecurityVerdict.Allow;
            }

            details.Add(token.Detail);
        }

        if (rule.PublishKeys.Count > 0)
        {
            var given = QueryParameters.Last(param, KeyParameter);
            if (given is null)
            {
                details.Add("missing key (no key parameter)");
            }
            else if (MatchesAny(rule.PublishKeys, given))
            {
                return SecurityVerdict.Allow;
            }
            else
            {
                details.Add("wrong key");
            }
        }

        return SecurityVerdict.Deny(AccessDenied, $"{rule.Key}: publish: {string.Join(", and ", details)}");
    }

    private static SecurityVerdict FromToken(Rule rule, TokenCheck check, string action) =>
        check.IsValid ? SecurityVerdict.Allow : SecurityVerdict.Deny(AccessDenied, $"{rule.Key}: {action}: {check.Detail}");

    /// <summary>Compares hashes, so neither the keys' contents nor their lengths show in the time taken; never stops early.</summary>
    private static bool MatchesAny(IReadOnlyList<byte[]> keyHashes, string given)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        var found = false;
        foreach (var keyHash in keyHashes)
        {
            found |= CryptographicOperations.FixedTimeEquals(hash, keyHash);
        }

        return found;
    }

    private Rule? Find(StreamKey stream, bool connect)
    {
        foreach (var rule in _rules)
        {
            var vhostMatches = rule.Vhost == "*" || Glob.Matches(rule.Vhost, stream.Vhost) || (rule.Vhost == "default" && stream.Vhost == StreamKey.DefaultVhost);
            var streamMatches = connect ? rule.Stream == "*" : Glob.Matches(rule.Stream, stream.Stream);
            if (vhostMatches && Glob.Matches(rule.App, stream.App) && streamMatches)
            {
                return rule;
            }
        }

        return null;
    }

    private static void CheckSecret(List<string> problems, string key, string? secret)
    {
        if (secret is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(secret))
        {
            problems.Add($"{key} is empty; set a secret of at least {MinSecretLength} characters, or remove the key to leave the streams unprotected");
        }
        else if (secret.Length < MinSecretLength)
        {
            problems.Add($"{key} has {secret.Length} characters; a secret needs at least {MinSecretLength}");
        }
    }

    private static AddressList ParseList(List<string> problems, string key, List<string> values)
    {
        var entries = new List<AddressEntry>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            if (AddressEntry.TryParse(values[i], out var entry, out var error))
            {
                entries.Add(entry!);
            }
            else
            {
                problems.Add($"{key}:{i} = {values[i]}: {error}");
            }
        }

        return entries.Count == 0 ? AddressList.Empty : new AddressList(entries);
    }

    private sealed record Rule(
        string Key,
        string Vhost,
        string App,
        string Stream,
        string? PublishSecret,
        string? PlaySecret,
        IReadOnlyList<byte[]> PublishKeys,
        AddressList ConnectAccess,
        AddressList PublishAccess,
        AddressList PlayAccess);
}
