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
