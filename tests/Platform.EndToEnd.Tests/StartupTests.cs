using Microsoft.Extensions.Configuration;
using Platform.Api.Hosting;

namespace Platform.EndToEnd.Tests;

[Collection("e2e")]
public class StartupTests
{
    [Fact]
    public async Task A_port_in_use_stops_the_start_with_the_key_that_holds_it()
    {
        await using var server = await TestServer.StartAsync();
        var ex = Assert.Throws<StartupException>(() => PlatformHost.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rtmp:Port"] = server.RtmpPort.ToString(),
            ["Http:Port"] = "0",
            ["Api:Port"] = "0",
            ["Management:Port"] = "0",
            ["Cluster:Port"] = "0",
            ["Storage:Root"] = server.StorageRoot,
        })));
        Assert.Contains("Rtmp:Port", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_port_clash_is_reported_at_once()
    {
        await using var server = await TestServer.StartAsync();
        var ex = Assert.Throws<StartupException>(() => PlatformHost.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rtmp:Port"] = server.RtmpPort.ToString(),
            ["Http:Port"] = server.HttpPort.ToString(),
            ["Api:Port"] = "0",
            ["Management:Port"] = server.ManagementPort.ToString(),
            ["Cluster:Port"] = "0",
            ["Storage:Root"] = server.StorageRoot,
        })));
        Assert.Contains("Rtmp:Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Http:Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Management:Port", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> ClusterMistakes => new()
    {
        { "Cluster:Seeds:0", "akka.tcp://platform@127.0.0.1:4053", "Cluster:Secret: required when Cluster:Seeds is set" },
        { "Cluster:Secret", "short", "Cluster:Secret: must be at least 16 characters" },
        { "Cluster:Hostname", "10.1.2.3", "Cluster:BindAddress = 10.1.2.3: the cluster's remoting and media links would listen beyond loopback" },
        { "Cluster:MediaBindAddress", "0.0.0.0", "Cluster:MediaBindAddress = 0.0.0.0" },
        { "Cluster:EdgePublishers", "maybe", "Cluster:EdgePublishers = maybe: must be accept or refuse" },
        { "Cluster:DownAfter", "00:00:00.100", "Cluster:DownAfter = 00:00:00.1000000: must be from 00:00:01 to 00:10:00" },
    };

    [Theory]
    [MemberData(nameof(ClusterMistakes))]
    public void Cluster_settings_are_checked_at_start(string key, string value, string message)
    {
        var ex = TestServer.StartRefused(new Dictionary<string, string?> { [key] = value });
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_opened_beyond_loopback_on_purpose_starts()
    {
        using var app = PlatformHost.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rtmp:Port"] = "0",
            ["Http:Port"] = "0",
            ["Api:Port"] = "0",
            ["Management:Port"] = "0",
            ["Cluster:Port"] = "0",
            ["Cluster:BindAddress"] = "0.0.0.0",
            ["Cluster:AllowInsecureRemoting"] = "true",
            ["Storage:Root"] = Path.GetTempPath(),
        }));
        Assert.Equal("0.0.0.0", app.Services.GetService(typeof(PlatformOptions)) is PlatformOptions o ? o.Cluster.EffectiveBindAddress : null);
    }

    [Fact]
    public async Task Alive_and_ready_answer_on_the_management_port()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        Assert.Equal("OK", await http.GetStringAsync(server.Management("/alive")));
        Assert.Equal("OK", await http.GetStringAsync(server.Management("/ready")));
        var members = await http.GetStringAsync(server.Management("/cluster/members"));
        Assert.Contains("\"status\":\"Up\"", members, StringComparison.Ordinal);
        var versions = await http.GetStringAsync(server.Api("/api/v1/versions"));
        Assert.Contains("\"code\":0", versions, StringComparison.Ordinal);
    }
}
