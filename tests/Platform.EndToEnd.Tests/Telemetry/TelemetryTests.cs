using Microsoft.Extensions.DependencyInjection;
using Platform.Api.Hosting;
using Platform.Streams;

namespace Platform.EndToEnd.Tests.Telemetry;

/// <summary>Metrics scraped on the management port and OTLP export, against a real node and real ffmpeg.</summary>
[Collection("e2e")]
public class TelemetryTests
{
    [Fact]
    public async Task Metrics_on_the_management_port_count_streams_players_by_protocol_and_bytes()
    {
        await using var server = await TestServer.StartAsync();
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/m1"));
        await server.WaitPublishingAsync("live", "m1", 30);
        var rtmpPlay = Probe.DecodeAsync(server.Rtmp("live/m1"), 6, TimeSpan.FromSeconds(60));
        var flvPlay = Probe.DecodeAsync(server.Http("live/m1.flv"), 6, TimeSpan.FromSeconds(60));

        using var http = new HttpClient();
        PrometheusText metrics = null!;
        await Eventually.TrueAsync(async () =>
        {
            metrics = PrometheusText.Parse(await http.GetStringAsync(server.Management("/metrics")));
            return metrics.Value("platform_players", ("protocol", "rtmp")) >= 1
                && metrics.Value("platform_players", ("protocol", "flv")) >= 1
                && metrics.Value("platform_io_bytes_total", ("direction", "out")) > 0
                && metrics.Value("platform_bitrate_kbit_per_second", ("direction", "in")) > 0; // a rate needs two samples 2 s apart
        }, TimeSpan.FromSeconds(30), "an RTMP and an HTTP-FLV player counted on /metrics");

        Assert.Equal("gauge", metrics.TypeOf("platform_players"));
        Assert.Equal("counter", metrics.TypeOf("platform_io_bytes_total"));
        Assert.Equal(1, metrics.Value("platform_streams"));
        Assert.Equal(1, metrics.Value("platform_streams_publishing"));
        Assert.Equal(1, metrics.Value("platform_publishers", ("protocol", "rtmp")));
        Assert.Equal(1, metrics.Value("platform_players", ("protocol", "rtmp")));
        Assert.Equal(1, metrics.Value("platform_players", ("protocol", "flv")));
        Assert.Equal(2, metrics.Value("platform_clients", ("protocol", "rtmp")));
        Assert.Equal(1, metrics.Value("platform_clients", ("protocol", "flv")));
        Assert.True(metrics.Value("platform_io_bytes_total", ("direction", "in")) > 10_000);
        Assert.True(metrics.Value("platform_frames_total") > 30);
        Assert.True(metrics.Value("platform_bitrate_kbit_per_second", ("direction", "in")) > 0);
        Assert.True(metrics.Value("platform_connections_total", ("protocol", "rtmp"), ("outcome", "accepted")) >= 2);
        Assert.True(metrics.Value("platform_connections_total", ("protocol", "flv"), ("outcome", "accepted")) >= 1);
        Assert.Equal(0, metrics.Value("platform_connections_total", ("protocol", "rtmp"), ("outcome", "refused")));
        Assert.True(metrics.Value("platform_reader_dropped_frames_total") >= 0);
        Assert.True(metrics.Value("platform_reader_overflows_total") >= 0);
        Assert.True(metrics.Has("platform_access_denials_total", ("action", "publish")));
        Assert.True(metrics.Has("platform_kicks_total", ("reason", "operator")));
        Assert.True(metrics.Has("target_info", ("service_name", "platform")));

        foreach (var play in new[] { await rtmpPlay, await flvPlay })
        {
            Assert.True(play.Exit == 0, play.Errors);
        }

        // Players gone: the gauges come down, the byte counters do not.
        var bytesOut = metrics.Value("platform_io_bytes_total", ("direction", "out"));
        await Eventually.TrueAsync(async () =>
        {
            metrics = PrometheusText.Parse(await http.GetStringAsync(server.Management("/metrics")));
            return metrics.Value("platform_players", ("protocol", "rtmp")) == 0 && metrics.Value("platform_players", ("protocol", "flv")) == 0;
        }, TimeSpan.FromSeconds(20), "players gone from /metrics");
        Assert.True(metrics.Value("platform_io_bytes_total", ("direction", "out")) >= bytesOut);
    }

    [Fact]
    public async Task Metrics_are_served_only_on_the_management_port()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(server.Management("/metrics"))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(server.Api("/metrics"))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(server.Http("metrics"))).StatusCode);
    }

    [Fact]
    public async Task Prometheus_can_be_turned_off()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Telemetry:Prometheus:Enabled"] = "false" });
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(server.Management("/metrics"))).StatusCode);
        Assert.Equal("OK", await http.GetStringAsync(server.Management("/alive")));
    }

    [Fact]
    public async Task Otlp_over_http_exports_metrics_traces_and_logs_to_the_collector()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Telemetry:Otlp:Endpoint"] = collector.Url,
            ["Telemetry:Otlp:Protocol"] = "http",
            ["Telemetry:Otlp:ExportInterval"] = "00:00:00.500",
        });

        // A short publish: its connection closes, so its spans end and are exported.
        await using (var publisher = Ffmpeg.Publish(server.Rtmp("live/o1"), seconds: 2))
        {
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await Eventually.TrueAsync(() =>
        {
            var spans = collector.Bodies("/v1/traces").SelectMany(b => Protobuf.Strings(b, 1, 2, 2, 5)).ToList();
            var metrics = collector.Bodies("/v1/metrics").SelectMany(b => Protobuf.Strings(b, 1, 2, 2, 1)).ToList();
            var logAttributes = collector.Bodies("/v1/logs").SelectMany(b => Protobuf.Strings(b, 1, 2, 2, 6, 1)).ToList();
            return spans.Contains("rtmp connection") && spans.Contains("publish")
                && metrics.Contains("platform.streams") && metrics.Contains("platform.io")
                && logAttributes.Contains("ClientId") && logAttributes.Contains("Stream");
        }, TimeSpan.FromSeconds(30), "metrics, the connection and publish spans, and session logs at the collector");

        Assert.All(collector.Requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.DoesNotContain(collector.Requests, r => r.Path is not ("/v1/metrics" or "/v1/traces" or "/v1/logs"));
        var attributes = collector.Bodies("/v1/traces").SelectMany(b => Protobuf.Strings(b, 1, 2, 2, 9, 1)).ToHashSet();
        Assert.Superset(new HashSet<string> { "platform.client.id", "client.address", "platform.stream", "platform.client.kind" }, attributes);

        // Session logs carry the client and the stream once each, even those whose message names only the client.
        var records = collector.Bodies("/v1/logs").SelectMany(b => Protobuf.Messages(b, 1, 2, 2)).Select(r => Protobuf.Strings(r, 6, 1)).ToList();
        var sessionRecords = records.Where(keys => keys.Contains("ClientId")).ToList();
        Assert.NotEmpty(sessionRecords);
        Assert.All(sessionRecords, keys =>
        {
            Assert.Contains("Stream", keys);
            Assert.Equal(keys.Count, keys.Distinct().Count());
        });
        Assert.Contains(sessionRecords, keys => keys.Contains("App"));

        var resource = collector.Bodies("/v1/metrics").SelectMany(b => Protobuf.Strings(b, 1, 1, 1, 1)).ToHashSet();
        Assert.Contains("service.instance.id", resource);
    }

    [Theory]
    [InlineData("Telemetry:Otlp:Endpoint", "collector:4317")]
    [InlineData("Telemetry:Otlp:Endpoint", "ftp://collector")]
    [InlineData("Telemetry:Otlp:Protocol", "udp")]
    [InlineData("Telemetry:Otlp:ExportInterval", "00:00:00")]
    [InlineData("Telemetry:Prometheus:Enabled", "maybe")]
    public void A_wrong_telemetry_setting_stops_the_start_naming_its_key(string key, string value)
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-otel-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var ex = Assert.Throws<StartupException>(() => PlatformHost.Build([], c => Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(c, new Dictionary<string, string?>
            {
                ["Rtmp:Port"] = "0",
                ["Http:Port"] = "0",
                ["Api:Port"] = "0",
                ["Management:Port"] = "0",
                ["Cluster:Port"] = "0",
                ["Storage:Root"] = root,
                [key] = value,
            })));
            Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Turning_prometheus_off_and_on_follows_the_settings_file_and_a_bad_reload_is_ignored()
    {
        var folder = Path.Combine(Path.GetTempPath(), "platform-otel-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "telemetry.json");
        await File.WriteAllTextAsync(file, """{ "Telemetry": { "Prometheus": { "Enabled": true } } }""");
        try
        {
            await using var server = await TestServer.StartAsync(configure: c => Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(c, file, optional: false, reloadOnChange: true));
            var settings = server.Services.GetRequiredService<TelemetrySettings>();
            using var http = new HttpClient();
            async Task<System.Net.HttpStatusCode> MetricsStatus() => (await http.GetAsync(server.Management("/metrics"))).StatusCode;
            Assert.Equal(System.Net.HttpStatusCode.OK, await MetricsStatus());

            await File.WriteAllTextAsync(file, """{ "Telemetry": { "Prometheus": { "Enabled": false } } }""");
            await Eventually.TrueAsync(async () => await MetricsStatus() == System.Net.HttpStatusCode.NotFound, TimeSpan.FromSeconds(20), "/metrics turned off");

            var rejected = settings.Reloads.Rejected;
            await File.WriteAllTextAsync(file, """{ "Telemetry": { "Prometheus": { "Enabled": true }, "Otlp": { "Endpoint": "not a uri" } } }""");
            await Eventually.TrueAsync(() => settings.Reloads.Rejected > rejected, TimeSpan.FromSeconds(20), "the bad reload refused");
            Assert.False(settings.Current.Prometheus.Enabled);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, await MetricsStatus());

            await File.WriteAllTextAsync(file, """{ "Telemetry": { "Prometheus": { "Enabled": true } } }""");
            await Eventually.TrueAsync(async () => await MetricsStatus() == System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(20), "/metrics turned on again");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
