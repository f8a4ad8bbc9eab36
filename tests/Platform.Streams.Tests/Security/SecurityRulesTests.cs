using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Security;

namespace Platform.Streams.Tests.Security;

public class SecurityRulesTests
{
    [Fact]
    public void Unknown_keys_are_reported_with_their_path_so_a_typo_cannot_leave_streams_open()
    {
        var (policy, _, errors) = SecurityRules.Load(Config(new()
        {
            ["Security:Rules:0:App"] = "live",
            ["Security:Rules:0:PlaySecert"] = "0123456789abcdef",
            ["Security:Rule:0:App"] = "x",
        }));
        Assert.Null(policy);
        Assert.Contains(errors, e => e.StartsWith("Security:Rules:0:PlaySecert is not a known setting", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Security:Rule is not a known setting", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reload_puts_new_rules_in_force_and_a_wrong_one_keeps_the_previous()
    {
        var config = Config(new() { ["Security:Rules:0:App"] = "live", ["Security:Rules:0:PublishKeys:0"] = "old" });
        var log = new ListLogger<SecurityRules>();
        using var rules = new SecurityRules(config, log);
        Assert.True(Publish(rules, "key=old"));

        config["Security:Rules:0:PublishKeys:0"] = "new";
        config.Reload();
        Assert.Equal(1, rules.Generation);
        Assert.False(Publish(rules, "key=old"));
        Assert.True(Publish(rules, "key=new"));
        Assert.Contains(log.Lines, l => l.Contains("security rules reloaded", StringComparison.Ordinal));

        config["Security:Rules:0:PublishKeys:0"] = "newer";
        config["Security:Rules:0:PublishAccess:0"] = "allow 10.0.0/8";
        config.Reload();
        Assert.Equal(1, rules.Generation);
        Assert.True(Publish(rules, "key=new"));
        Assert.Contains(log.Lines, l => l.Contains("previous rules stay in force", StringComparison.Ordinal) && l.Contains("Security:Rules:0:PublishAccess:0", StringComparison.Ordinal));

        // The same values again are not a new generation.
        config["Security:Rules:0:PublishKeys:0"] = "new";
        config["Security:Rules:0:PublishAccess:0"] = null;
        config.Reload();
        Assert.Equal(1, rules.Generation);
    }

    [Fact]
    public async Task The_check_logs_why_and_tells_the_client_only_that_access_is_denied()
    {
        var config = Config(new() { ["Security:Rules:0:App"] = "live", ["Security:Rules:0:PlaySecret"] = "play-secret-0123456789ab" });
        using var rules = new SecurityRules(config, new ListLogger<SecurityRules>());
        var log = new ListLogger<SecurityAccessCheck>();
        var check = new SecurityAccessCheck(rules, TimeProvider.System, log);
        var client = new ClientInfo("c9", ClientKind.FlvPlayer, "127.0.0.1", new StreamKey(StreamKey.DefaultVhost, "live", "cam1"), string.Empty, string.Empty, string.Empty, "expires=1&token=00", DateTimeOffset.UnixEpoch);

        var decision = await check.CheckAsync(new AccessRequest(AccessAction.Play, client), CancellationToken.None);
        Assert.False(decision.Allowed);
        Assert.Equal("access denied", decision.Reason);
        var line = Assert.Single(log.Lines);
        Assert.Contains("c9", line, StringComparison.Ordinal);
        Assert.Contains("Security:Rules:0: play: tampered token", line, StringComparison.Ordinal);

        Assert.True((await check.CheckAsync(new AccessRequest(AccessAction.Publish, client), CancellationToken.None)).Allowed);
    }

    private static bool Publish(SecurityRules rules, string param) =>
        rules.Current.Decide(
            AccessAction.Publish,
            new ClientInfo("c1", ClientKind.RtmpPublisher, "127.0.0.1", new StreamKey(StreamKey.DefaultVhost, "live", "s"), string.Empty, string.Empty, string.Empty, param, DateTimeOffset.UnixEpoch),
            0).Allowed;

    private static IConfigurationRoot Config(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private sealed class ListLogger<T> : ILogger<T>
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }
    }
}
