using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Api.Hosting;
using Platform.Streams;
using Platform.Workers.Rules;

namespace Platform.EndToEnd.Tests;

/// <summary>Settings checked before anything starts, each problem named by its key.</summary>
public class ConfigValidatorTests
{
    [Fact]
    public void Default_settings_are_valid()
    {
        Assert.Empty(ConfigValidator.Validate(new PlatformOptions()));
    }

    [Theory]
    [InlineData("Apps:0:Hls:Fragment", "abc", "Apps:0:Hls:Fragment = abc: expected a duration")]
    [InlineData("Streams:TimeJitter", "sometimes", "Streams:TimeJitter = sometimes: expected one of Full, Zero, Off")]
    [InlineData("Rtmp:Port", "port", "Rtmp:Port = port: expected a whole number")]
    [InlineData("Streams:GopCache", "yes", "Streams:GopCache = yes: expected true or false")]
    public void A_value_of_the_wrong_type_is_named_by_its_key(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var problem = ConfigValidator.TryBind(configuration, new PlatformOptions());
        Assert.NotNull(problem);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_out_of_range_are_each_reported_with_their_key()
    {
        var options = new PlatformOptions
        {
            Rtmp = new Ingest.Rtmp.RtmpServerOptions { BindAddress = "localhost", HandshakeTimeout = TimeSpan.Zero },
            Storage = new StorageOptions { Provider = "mysql" },
            Streams = new StreamSettings { WriteCoalesce = TimeSpan.FromSeconds(5), ReaderQueueFrames = 0 },
            Cluster = new ClusterNodeOptions { Seeds = ["10.0.0.1:4053"] },
            Apps =
            [
                new AppRule { App = "", Hls = new HlsRule { Fragment = TimeSpan.FromSeconds(10), Window = TimeSpan.FromSeconds(5), TsFile = "[app]/[stream].ts" } },
                new AppRule { Dvr = new DvrRule { File = "[stream].mp4" } },
            ],
        };
        var problems = ConfigValidator.Validate(options);
        string[] keys =
        [
            "Rtmp:BindAddress = localhost", "Rtmp:HandshakeTimeout", "Storage:Provider = mysql", "Streams:WriteCoalesce",
            "Streams:ReaderQueueFrames", "Cluster:Seeds:0", "Apps:0:App is empty", "Apps:0:Hls:Window", "Apps:0:Hls:TsFile",
            "Apps:1:Dvr:File",
        ];
        foreach (var key in keys)
        {
            Assert.Contains(problems, p => p.StartsWith(key, StringComparison.Ordinal));
        }

        Assert.Equal(keys.Length, problems.Count);
    }
}

/// <summary>Start-up refusal and rules reloaded from an edited settings file, with real ffmpeg.</summary>
[Collection("e2e")]
public class ConfigurationTests
{
    [Fact]
    public void A_wrong_value_stops_the_start_naming_the_key_and_what_is_allowed()
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-cfg-" + Guid.NewGuid().ToString("N")[..8]);
        var ex = Assert.Throws<StartupException>(() => PlatformHost.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Root"] = root,
            ["Apps:0:Hls:Window"] = "00:00:01",
        })));
        Assert.Contains("Apps:0:Hls:Window = 00:00:01: must be at least the fragment", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<StartupException>(() => PlatformHost.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Root"] = root,
            ["Streams:IdleTimeout"] = "soon",
        })));
        Assert.Contains("Streams:IdleTimeout = soon: expected a duration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edited_app_rules_apply_to_new_streams_without_touching_live_ones()
    {
        var folder = Path.Combine(Path.GetTempPath(), "platform-reload-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "settings.json");
        await WriteRulesAsync(file, """{ "Apps": [ { "App": "live", "Hls": { "Enabled": false } } ] }""");
        try
        {
            await using var server = await TestServer.StartAsync(
                null,
                configure: c => c.AddJsonFile(file, optional: false, reloadOnChange: true));
            var rules = server.Services.GetRequiredService<AppRules>();
            using var http = new HttpClient();

            await using var first = Ffmpeg.Publish(server.Rtmp("live/before"));
            var before = new StreamKey(StreamKey.DefaultVhost, "live", "before");
            await Eventually.TrueAsync(() => Task.FromResult(server.Hubs.Find(before)?.Stats.FramesIn > 25), TimeSpan.FromSeconds(30), "first publisher streaming");
            Assert.Equal("not running", await HlsStateAsync(http, server, "before"));
            var firstPublisher = server.Hubs.Find(before)!.PublisherId;

            await WriteRulesAsync(file, """{ "Apps": [ { "App": "live", "Hls": { "Enabled": true, "Fragment": "00:00:01", "Window": "00:00:04" } } ] }""");
            await Eventually.TrueAsync(() => Task.FromResult(rules.Reloads == 1), TimeSpan.FromSeconds(20), "rules reloaded");

            await using var second = Ffmpeg.Publish(server.Rtmp("live/after"));
            await Eventually.TrueAsync(async () => (await http.GetAsync(server.Http("live/after.m3u8"))).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "HLS of the stream published after the reload");

            // The live stream kept its publisher and its workers; it was not restarted.
            Assert.False(first.HasExited);
            Assert.Equal(firstPublisher, server.Hubs.Find(before)?.PublisherId);
            Assert.Equal("not running", await HlsStateAsync(http, server, "before"));

            // A broken edit is refused and the rules in force stay.
            await WriteRulesAsync(file, """{ "Apps": [ { "App": "live", "Hls": { "Enabled": false, "Fragment": "often" } } ] }""");
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(1, rules.Reloads);
            await using var third = Ffmpeg.Publish(server.Rtmp("live/third"));
            await Eventually.TrueAsync(async () => (await http.GetAsync(server.Http("live/third.m3u8"))).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "HLS still on after a broken edit");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task WriteRulesAsync(string file, string json)
    {
        // Written aside and moved in, so the watcher never reads half a file.
        var temp = file + ".new";
        await File.WriteAllTextAsync(temp, json);
        File.Move(temp, file, overwrite: true);
    }

    private static async Task<string> HlsStateAsync(HttpClient http, TestServer server, string stream)
    {
        var json = await http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams"));
        var entry = json.GetProperty("streams").EnumerateArray().First(s => s.GetProperty("name").GetString() == stream);
        var hls = entry.GetProperty("workers").EnumerateArray().First(w => w.GetProperty("name").GetString() == "hls");
        return hls.GetProperty("running").GetBoolean() ? "running" : "not running";
    }
}
