using OpenTelemetry.Exporter;

namespace Platform.Api.Hosting;

/// <summary>Telemetry settings (<c>Telemetry</c> section): the Prometheus scrape endpoint and OTLP export.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>The <c>service.name</c> of everything exported.</summary>
    public string ServiceName { get; set; } = "platform";

    public PrometheusTelemetryOptions Prometheus { get; set; } = new();

    public OtlpTelemetryOptions Otlp { get; set; } = new();
}

public sealed class PrometheusTelemetryOptions
{
    /// <summary>Serve <c>/metrics</c> on the management port; follows a configuration reload.</summary>
    public bool Enabled { get; set; } = true;
}

public sealed class OtlpTelemetryOptions
{
    /// <summary>The collector's base URI (<c>http://collector:4317</c> for gRPC, <c>http://collector:4318</c> for HTTP); empty: no OTLP export.</summary>
    public string Endpoint { get; set; } = string.Empty;

    /// <summary><c>grpc</c> or <c>http</c> (HTTP with protobuf bodies; signals go to <c>/v1/metrics</c>, <c>/v1/traces</c>, <c>/v1/logs</c>).</summary>
    public string Protocol { get; set; } = "grpc";

    /// <summary>How often metrics are pushed, and the longest spans and logs wait in their batch.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Extra request headers, <c>key=value</c> pairs separated by commas (an API key for a hosted collector).</summary>
    public string Headers { get; set; } = string.Empty;

    public bool Metrics { get; set; } = true;

    public bool Traces { get; set; } = true;

    public bool Logs { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
}

/// <summary>Checks of the telemetry settings and the OTLP addresses derived from them (pure).</summary>
public static class TelemetryConfig
{
    public static readonly TimeSpan MinExportInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxExportInterval = TimeSpan.FromHours(1);

    /// <summary>The first problem of <paramref name="options"/>, naming its full key, or null when valid.</summary>
    public static string? Validate(TelemetryOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            return "Telemetry:ServiceName is empty: give the service name every signal is exported under";
        }

        var otlp = options.Otlp;
        if (otlp.Enabled && ParseEndpoint(otlp.Endpoint) is null)
        {
            return $"Telemetry:Otlp:Endpoint = {otlp.Endpoint}: not an absolute http:// or https:// URI (empty turns OTLP export off)";
        }

        if (ParseProtocol(otlp.Protocol) is null)
        {
            return $"Telemetry:Otlp:Protocol = {otlp.Protocol}: use grpc or http";
        }

        if (otlp.ExportInterval < MinExportInterval || otlp.ExportInterval > MaxExportInterval)
        {
            return $"Telemetry:Otlp:ExportInterval = {otlp.ExportInterval}: must be between {MinExportInterval} and {MaxExportInterval}";
        }

        foreach (var header in otlp.Headers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (header.IndexOf('=', StringComparison.Ordinal) <= 0)
            {
                return $"Telemetry:Otlp:Headers = {otlp.Headers}: '{header}' is not key=value";
            }
        }

        return null;
    }

    public static Uri? ParseEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(uri.Host)
            ? uri
            : null;

    public static OtlpExportProtocol? ParseProtocol(string protocol) => protocol.Trim().ToLowerInvariant() switch
    {
        "grpc" => OtlpExportProtocol.Grpc,
        "http" or "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => null,
    };

    /// <summary>
    /// Where a signal is sent: gRPC takes the endpoint as it is; HTTP appends the signal's path
    /// (<c>v1/metrics</c>, <c>v1/traces</c>, <c>v1/logs</c>) to the endpoint's path, as OTLP exporters do
    /// with a base endpoint.
    /// </summary>
    public static Uri SignalEndpoint(Uri endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        if (protocol == OtlpExportProtocol.Grpc)
        {
            return endpoint;
        }

        var builder = new UriBuilder(endpoint);
        builder.Path = builder.Path.TrimEnd('/') + "/" + signalPath;
        return builder.Uri;
    }
}
