namespace Platform.EndToEnd.Tests;

/// <summary>The mistakes an operator makes in settings stop the node process with exit code 2 and one line naming them.</summary>
[Collection("e2e")]
public class ConfigMistakeTests
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "Platform.Api.dll");

    private static async Task<(int Exit, string Stderr)> StartAsync(params string[] args)
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-config-" + Guid.NewGuid().ToString("N")[..8]);
        string[] ports = ["--Rtmp:Port=0", "--Http:Port=0", "--Api:Port=0", "--Management:Port=0", "--Cluster:Port=0", $"--Storage:Root={root}"];
        var (exit, _, stderr) = await Ffmpeg.RunAsync("dotnet", [Dll, .. ports, .. args], TimeSpan.FromSeconds(60));
        return (exit, stderr.Trim());
    }

    public static TheoryData<string, string> Misspelt => new()
    {
        { "--Apps:0:Hls:Deterministc=true", "Apps:0:Hls:Deterministc: unknown key; did you mean Deterministic?" },
        { "--Streams:TimeJiter=Off", "Streams:TimeJiter: unknown key; did you mean TimeJitter?" },
        { "--Rtmp:Prot=1936", "Rtmp:Prot: unknown key; did you mean Port?" },
        { "--Cluster:Secrett=0123456789abcdef", "Cluster:Secrett: unknown key; did you mean Secret?" },
        { "--Telemetry:Prometheus:Enable=false", "Telemetry:Prometheus:Enable: unknown key; did you mean Enabled?" },
        { "--Http:Zzzzzzzzzzzzzzz=1", "Http:Zzzzzzzzzzzzzzz: unknown key; this section takes Port, BindAddress" },
    };

    [Theory]
    [MemberData(nameof(Misspelt))]
    public async Task A_misspelt_key_stops_the_start_naming_the_closest_known_one(string argument, string message)
    {
        var (exit, stderr) = await StartAsync(argument);
        Assert.Equal(2, exit);
        Assert.StartsWith("platform: cannot start: " + message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', stderr);
    }

    [Fact]
    public async Task A_settings_file_that_is_not_json_stops_the_start_with_its_line_and_column()
    {
        var file = Path.Combine(Path.GetTempPath(), "platform-bad-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        await File.WriteAllTextAsync(file, "{\n  \"Rtmp\": { \"Port\": 1936 }\n  \"Http\": { \"Port\": 8081 }\n}\n");
        try
        {
            var (exit, stderr) = await StartAsync("--config", file);
            Assert.Equal(2, exit);
            Assert.Equal($"platform: cannot start: --config {file}: not valid JSON at line 3, column 3 ('\"' is invalid after a value)", stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>The node says what it is about to be, and each publish says which workers run.</summary>
[Collection("e2e")]
public class StartupSummaryTests
{
    [Fact]
    public async Task The_log_summarizes_the_node_at_start_and_the_workers_at_publish()
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-summary-" + Guid.NewGuid().ToString("N")[..8]);
        await using var node = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Platform"] = "Information",
            ["Apps:0:App"] = "live",
            ["Apps:0:Hls:Deterministic"] = "true",
            ["Apps:0:Hls:Fragment"] = "00:00:02",
            ["Apps:0:Dvr:Enabled"] = "true",
        }, root);
        Assert.Contains($"data in {root}", node.Output, StringComparison.Ordinal);
        Assert.Contains("cluster: this node alone (no Cluster:Seeds), persistence sqlite", node.Output, StringComparison.Ordinal);
        Assert.Contains("rule Apps:0 */live/*: HLS deterministic 2 s fragments, DVR session", node.Output, StringComparison.Ordinal);
        Assert.Contains($"security: 0 rule(s); listeners: RTMP 0.0.0.0:{node.RtmpPort}", node.Output, StringComparison.Ordinal);

        await using var publisher = Ffmpeg.Publish(node.Rtmp("live/summary"));
        await Eventually.TrueAsync(() => node.Output.Contains("publishing __defaultVhost__/live/summary", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "publish logged");
        Assert.Matches("publishing __defaultVhost__/live/summary \\(\\); hls runs \\(.+\\); dvr runs \\(.+\\)", node.Output);
    }
}
