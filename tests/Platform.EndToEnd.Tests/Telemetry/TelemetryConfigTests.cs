using OpenTelemetry.Exporter;
using Platform.Api.Hosting;

namespace Platform.EndToEnd.Tests.Telemetry;

public class TelemetryConfigTests
{
    private static TelemetryOptions With(Action<OtlpTelemetryOptions> change)
    {
        var options = new TelemetryOptions();
        change(options.Otlp);
        return options;
    }

    [Fact]
    public void The_defaults_are_valid_and_export_nothing_over_otlp()
    {
        var options = new TelemetryOptions();
        Assert.Null(TelemetryConfig.Validate(options));
        Assert.False(options.Otlp.Enabled);
        Assert.True(options.Prometheus.Enabled);
    }

    [Theory]
    [InlineData("collector:4317", "Telemetry:Otlp:Endpoint = collector:4317: not an absolute http:// or https:// URI (empty turns OTLP export off)")]
    [InlineData("ftp://collector", "Telemetry:Otlp:Endpoint = ftp://collector: not an absolute http:// or https:// URI (empty turns OTLP export off)")]
    [InlineData("/v1/traces", "Telemetry:Otlp:Endpoint = /v1/traces: not an absolute http:// or https:// URI (empty turns OTLP export off)")]
    public void A_bad_endpoint_is_named_with_its_key(string endpoint, string expected) =>
        Assert.Equal(expected, TelemetryConfig.Validate(With(o => o.Endpoint = endpoint)));

    [Fact]
    public void Other_bad_values_are_named_with_their_keys()
    {
        Assert.Equal("Telemetry:Otlp:Protocol = udp: use grpc or http", TelemetryConfig.Validate(With(o => o.Protocol = "udp")));
        Assert.Equal("Telemetry:Otlp:ExportInterval = 00:00:00.0500000: must be between 00:00:00.1000000 and 01:00:00",
            TelemetryConfig.Validate(With(o => o.ExportInterval = TimeSpan.FromMilliseconds(50))));
        Assert.Equal("Telemetry:Otlp:Headers = api-key=1,broken: 'broken' is not key=value", TelemetryConfig.Validate(With(o => o.Headers = "api-key=1,broken")));
        Assert.Equal("Telemetry:ServiceName is empty: give the service name every signal is exported under",
            TelemetryConfig.Validate(new TelemetryOptions { ServiceName = " " }));
    }

    [Theory]
    [InlineData("grpc", OtlpExportProtocol.Grpc)]
    [InlineData("GRPC", OtlpExportProtocol.Grpc)]
    [InlineData("http", OtlpExportProtocol.HttpProtobuf)]
    [InlineData("http/protobuf", OtlpExportProtocol.HttpProtobuf)]
    [InlineData("http/json", null)]
    public void Protocols_are_grpc_or_http(string text, OtlpExportProtocol? expected) =>
        Assert.Equal(expected, TelemetryConfig.ParseProtocol(text));

    [Theory]
    [InlineData("http://collector:4318", "http", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", "http", "http://collector:4318/v1/traces")]
    [InlineData("https://otel.example/otlp", "http", "https://otel.example/otlp/v1/traces")]
    [InlineData("https://otel.example/otlp/", "http", "https://otel.example/otlp/v1/traces")]
    [InlineData("http://collector:4317", "grpc", "http://collector:4317/")]
    public void Each_signal_has_its_path_over_http_and_none_over_grpc(string endpoint, string protocol, string expected)
    {
        var uri = TelemetryConfig.SignalEndpoint(new Uri(endpoint), TelemetryConfig.ParseProtocol(protocol)!.Value, "v1/traces");
        Assert.Equal(expected, uri.ToString());
    }
}
