using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Security;

namespace Platform.Streams.Tests.Security;

public class SecurityPolicyTests
{
    private const string PublishSecret = "publish-secret-0123456789";
    private const string PlaySecret = "play-secret-0123456789ab";
    private const long Now = 1700000000;

    private static readonly SecurityRule Protected = new()
    {
        App = "live",
        PublishSecret = PublishSecret,
        PlaySecret = PlaySecret,
    };

    [Fact]
    public void No_rule_means_no_protection()
    {
        var policy = Compile();
        Assert.True(policy.Decide(AccessAction.Publish, Client("live", "s"), Now).Allowed);
        Assert.True(policy.Decide(AccessAction.Play, Client("live", "s"), Now).Allowed);
    }

    [Fact]
    public void The_first_rule_matching_vhost_app_and_stream_applies()
    {
        var policy = Compile(
            new SecurityRule { App = "live", Stream = "open*" },
            new SecurityRule { Vhost = "default", App = "live", PlaySecret = PlaySecret },
            new SecurityRule { Vhost = "*.example.com", App = "l?ve", PublishKeys = ["k"] },
            new SecurityRule { App = "*", PlayAccess = ["deny all"] });
        Assert.Equal("Security:Rules:0", policy.RuleFor(Key("live", "open1")));
        Assert.Equal("Security:Rules:1", policy.RuleFor(Key("live", "cam1")));
        Assert.Equal("Security:Rules:2", policy.RuleFor(new StreamKey("a.example.com", "love", "cam1")));
        Assert.Equal("Security:Rules:3", policy.RuleFor(new StreamKey("other.org", "live", "cam1")));
        Assert.True(policy.Decide(AccessAction.Play, Client("live", "open1"), Now).Allowed);
        Assert.Contains("missing token", policy.Decide(AccessAction.Play, Client("live", "cam1"), Now).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connect_is_matched_only_by_rules_for_every_stream_of_the_app()
    {
        var policy = Compile(
            new SecurityRule { App = "live", Stream = "cam*", PublishKeys = ["k"] },
            new SecurityRule { App = "live", ConnectAccess = ["allow 10.0.0.0/8", "deny all"] });
        var client = Client("live", string.Empty, ip: "127.0.0.1");
        Assert.Equal("Security:Rules:1", policy.RuleFor(client.Stream, connect: true));
        var verdict = policy.Decide(AccessAction.Connect, client, Now);
        Assert.False(verdict.Allowed);
        Assert.Equal("Security:Rules:1:ConnectAccess:1 (deny all) denies address 127.0.0.1", verdict.Detail);
        Assert.True(policy.Decide(AccessAction.Connect, client with { Ip = "10.1.1.1" }, Now).Allowed);

        // A connect whose app could not be resolved (default key) is not matched by an app rule.
        Assert.True(policy.Decide(AccessAction.Connect, client with { Stream = default }, Now).Allowed);
    }

    [Fact]
    public void Publish_needs_a_publish_token_and_a_play_token_never_publishes()
    {
        var policy = Compile(Protected);
        var key = Key("live", "cam1");
        var publish = StreamToken.Query(PublishSecret, TokenAction.Publish, key, Now + 60);
        Assert.True(policy.Decide(AccessAction.Publish, Client("live", "cam1", publish), Now).Allowed);

        var playToken = StreamToken.Query(PlaySecret, TokenAction.Play, key, Now + 60);
        var verdict = policy.Decide(AccessAction.Publish, Client("live", "cam1", playToken), Now);
        Assert.False(verdict.Allowed);
        Assert.Equal(SecurityPolicy.AccessDenied, verdict.ClientReason);
        Assert.StartsWith("Security:Rules:0: publish: tampered token", verdict.Detail, StringComparison.Ordinal);

        // Signed with the play secret but claiming publish: still refused (separate secrets).
        var crossed = StreamToken.Query(PlaySecret, TokenAction.Publish, key, Now + 60);
        Assert.False(policy.Decide(AccessAction.Publish, Client("live", "cam1", crossed), Now).Allowed);
        Assert.True(policy.Decide(AccessAction.Play, Client("live", "cam1", playToken), Now).Allowed);
        Assert.False(policy.Decide(AccessAction.Play, Client("live", "cam1", publish), Now).Allowed);
    }

    [Theory]
    [InlineData("", "Security:Rules:0: play: missing token (no token parameter)")]
    [InlineData("expires=1700000060&token=0000000000000000000000000000000000000000000000000000000000000000", "Security:Rules:0: play: tampered token (signature does not match play of __defaultVhost__/live/cam1 until 1700000060)")]
    [InlineData("expires=1699999990&token=ee2c44e8f12b6b1bf04e08b5f0d7b7d4651b6f6a4e0b3e67bdfc0c9b77c5de39", "Security:Rules:0: play: tampered token (signature does not match play of __defaultVhost__/live/cam1 until 1699999990)")]
    public void A_refused_play_says_which_problem_it_was(string param, string detail)
    {
        var verdict = Compile(Protected).Decide(AccessAction.Play, Client("live", "cam1", param), Now);
        Assert.False(verdict.Allowed);
        Assert.Equal(SecurityPolicy.AccessDenied, verdict.ClientReason);
        Assert.Equal(detail, verdict.Detail);
    }

    [Fact]
    public void An_expired_play_token_is_named_expired()
    {
        var param = StreamToken.Query(PlaySecret, TokenAction.Play, Key("live", "cam1"), Now - 10);
        var verdict = Compile(Protected).Decide(AccessAction.Play, Client("live", "cam1", param), Now);
        Assert.Equal("Security:Rules:0: play: expired token (expired at 1699999990, 10 s ago)", verdict.Detail);
    }

    [Fact]
    public void Publish_keys_are_checked_and_either_a_key_or_a_token_is_enough_when_both_are_set()
    {
        var keysOnly = Compile(new SecurityRule { App = "live", PublishKeys = ["k1", "second key"] });
        Assert.True(keysOnly.Decide(AccessAction.Publish, Client("live", "s", "key=k1"), Now).Allowed);
        Assert.True(keysOnly.Decide(AccessAction.Publish, Client("live", "s", "a=b&key=second%20key"), Now).Allowed);
        Assert.Equal("Security:Rules:0: publish: wrong key", keysOnly.Decide(AccessAction.Publish, Client("live", "s", "key=k2"), Now).Detail);
        Assert.Equal("Security:Rules:0: publish: wrong key", keysOnly.Decide(AccessAction.Publish, Client("live", "s", "key=k1x"), Now).Detail);
        Assert.Equal("Security:Rules:0: publish: missing key (no key parameter)", keysOnly.Decide(AccessAction.Publish, Client("live", "s"), Now).Detail);
        Assert.True(keysOnly.Decide(AccessAction.Play, Client("live", "s"), Now).Allowed);

        var both = Compile(new SecurityRule { App = "live", PublishSecret = PublishSecret, PublishKeys = ["k1"] });
        Assert.True(both.Decide(AccessAction.Publish, Client("live", "s", "key=k1"), Now).Allowed);
        var token = StreamToken.Query(PublishSecret, TokenAction.Publish, Key("live", "s"), Now);
        Assert.True(both.Decide(AccessAction.Publish, Client("live", "s", token), Now).Allowed);
        Assert.Equal(
            "Security:Rules:0: publish: missing token (no token parameter), and wrong key",
            both.Decide(AccessAction.Publish, Client("live", "s", "key=nope"), Now).Detail);
    }

    [Fact]
    public void Address_lists_apply_per_action_before_tokens()
    {
        var policy = Compile(new SecurityRule
        {
            App = "live",
            PublishKeys = ["k"],
            PublishAccess = ["allow 10.0.0.0/8", "deny all"],
            PlayAccess = ["deny 127.0.0.1"],
        });
        var verdict = policy.Decide(AccessAction.Publish, Client("live", "s", "key=k", "127.0.0.1"), Now);
        Assert.Equal("Security:Rules:0:PublishAccess:1 (deny all) denies address 127.0.0.1", verdict.Detail);
        Assert.True(policy.Decide(AccessAction.Publish, Client("live", "s", "key=k", "::ffff:10.2.3.4"), Now).Allowed);
        Assert.Equal("Security:Rules:0: publish: wrong key", policy.Decide(AccessAction.Publish, Client("live", "s", "key=x", "10.2.3.4"), Now).Detail);
        Assert.Equal(
            "Security:Rules:0:PlayAccess:0 (deny 127.0.0.1/32) denies address ::ffff:127.0.0.1",
            policy.Decide(AccessAction.Play, Client("live", "s", ip: "::ffff:127.0.0.1"), Now).Detail);
        Assert.True(policy.Decide(AccessAction.Play, Client("live", "s", ip: "127.0.0.2"), Now).Allowed);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("%2e%2e")]
    [InlineData("a\u0000")]
    public void Names_that_could_escape_a_folder_are_refused_whatever_the_rules(string name)
    {
        var policy = Compile();
        foreach (var key in new[] { Key("live", name), Key(name, "s"), new StreamKey(name, "live", "s") })
        {
            var client = Client(key.App, key.Stream) with { Stream = key };
            var verdict = policy.Decide(AccessAction.Play, client, Now);
            Assert.False(verdict.Allowed);
            Assert.Equal(SecurityPolicy.InvalidName, verdict.ClientReason);
            Assert.DoesNotContain('\0', verdict.Detail);
            Assert.False(policy.Decide(AccessAction.Publish, client, Now).Allowed);
        }
    }

    [Fact]
    public void Every_wrong_value_is_reported_with_its_full_key()
    {
        var policy = SecurityPolicy.Compile(new SecurityOptions
        {
            Rules =
            [
                new SecurityRule { App = "live", PlayAccess = ["allow 127.0.0.1", "deny 10.0.0/8"], PublishSecret = "" },
                new SecurityRule { App = "", PlaySecret = "short", PublishKeys = ["ok", " "], PublishAccess = ["permit all"] },
                new SecurityRule { Stream = "cam*", ConnectAccess = ["deny all"] },
            ],
        }, out var errors);
        Assert.Null(policy);
        Assert.Equal(
            [
                "Security:Rules:0:PublishSecret is empty; set a secret of at least 16 characters, or remove the key to leave the streams unprotected",
                "Security:Rules:0:PlayAccess:1 = deny 10.0.0/8: '10.0.0/8' is not an IP address or CIDR (e.g. 10.0.0.0/8, 192.168.1.7, 2001:db8::/32, all)",
                "Security:Rules:1:App is empty; use * for any",
                "Security:Rules:1:PlaySecret has 5 characters; a secret needs at least 16",
                "Security:Rules:1:PublishKeys:1 is empty; a publish key needs at least one character",
                "Security:Rules:1:PublishAccess:0 = permit all: unknown action 'permit' (allowed: 'allow ADDRESS', 'deny ADDRESS', where ADDRESS is an IP address, a CIDR or all)",
                "Security:Rules:2:ConnectAccess needs Security:Rules:2:Stream = * (a connect names no stream yet), not 'cam*'",
            ],
            errors);
    }

    [Fact]
    public void Minting_uses_the_covering_rule_and_adds_a_non_default_vhost()
    {
        var policy = Compile(new SecurityRule { Vhost = "example.com", App = "live", PlaySecret = PlaySecret }, Protected);
        var minted = policy.Mint(TokenAction.Play, Key("live", "cam1"), 3600, Now, out var error);
        Assert.NotNull(minted);
        Assert.Equal(Now + 3600, minted.Expires);
        Assert.Equal(StreamToken.Query(PlaySecret, TokenAction.Play, Key("live", "cam1"), Now + 3600), minted.Query);
        Assert.True(policy.Decide(AccessAction.Play, Client("live", "cam1", minted.Query), Now + 3600).Allowed);

        var vhost = new StreamKey("example.com", "live", "cam1");
        var other = policy.Mint(TokenAction.Play, vhost, 60, Now, out _)!;
        Assert.StartsWith("vhost=example.com&expires=1700000060&token=", other.Query, StringComparison.Ordinal);
        Assert.True(policy.Decide(AccessAction.Play, Client("live", "cam1", other.Query) with { Stream = vhost }, Now).Allowed);

        Assert.Null(policy.Mint(TokenAction.Publish, vhost, 60, Now, out error));
        Assert.Equal("Security:Rules:0 covers live/cam1 on vhost example.com but has no PublishSecret: add --Security:Rules:0:PublishSecret=<a secret of 16+ characters> (or in appsettings.json)", error);
        Assert.Null(policy.Mint(TokenAction.Play, Key("other", "cam1"), 60, Now, out error));
        Assert.Equal("no rule in Security:Rules covers other/cam1 on vhost __defaultVhost__: add one with a PlaySecret, e.g. --Security:Rules:0:App=other --Security:Rules:0:PlaySecret=<a secret of 16+ characters> (or in appsettings.json)", error);
        Assert.Null(policy.Mint(TokenAction.Play, Key("live", "cam1"), 0, Now, out error));
        Assert.StartsWith("ttl must be", error, StringComparison.Ordinal);
        Assert.Null(policy.Mint(TokenAction.Play, Key("live", "../x"), 60, Now, out error));
        Assert.StartsWith(SecurityPolicy.InvalidName, error, StringComparison.Ordinal);
    }

    private static SecurityPolicy Compile(params SecurityRule[] rules)
    {
        var policy = SecurityPolicy.Compile(new SecurityOptions { Rules = [.. rules] }, out var errors);
        Assert.True(policy is not null, string.Join("; ", errors));
        return policy;
    }

    private static StreamKey Key(string app, string stream) => new(StreamKey.DefaultVhost, app, stream);

    private static ClientInfo Client(string app, string stream, string param = "", string ip = "127.0.0.1") =>
        new("c1", ClientKind.RtmpPlayer, ip, Key(app, stream), string.Empty, string.Empty, string.Empty, param, DateTimeOffset.UnixEpoch);
}
