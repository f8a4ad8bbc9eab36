using Microsoft.Extensions.Primitives;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Platform.Streams.Clients;
using Platform.Streams.Hub;
using Platform.Streams.Telemetry;

namespace Platform.Api.Hosting;

/// <summary>
/// Wires the node's metrics, spans and logs to exporters: Prometheus (<c>/metrics</c> on the management
/// port) always registered and served while <c>Telemetry:Prometheus:Enabled</c>; OTLP (metrics, traces,
/// logs) when <c>Telemetry:Otlp:Endpoint</c> is set. Exporters are chosen at start.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Meters exported besides the node's own: .NET runtime, ASP.NET Core requests, Kestrel connections.</summary>
    public static readonly string[] ExtraMeters = ["System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    public static void AddPlatformTelemetry(this WebApplicationBuilder builder)
    {
        var options = Bind(builder.Configuration);
        if (TelemetryConfig.Validate(options) is { } problem)
        {
            throw new StartupException(problem);
        }

        var services = builder.Services;
        services.AddSingleton(sp => new TelemetrySettings(builder.Configuration, options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Telemetry")));
        var otlp = options.Otlp;
        var endpoint = otlp.Enabled ? TelemetryConfig.ParseEndpoint(otlp.Endpoint) : null;
        var protocol = TelemetryConfig.ParseProtocol(otlp.Protocol) ?? OtlpExportProtocol.Grpc;
        var interval = (int)otlp.ExportInterval.TotalMilliseconds;

        void Configure(OtlpExporterOptions exporter, string signalPath)
        {
            exporter.Endpoint = TelemetryConfig.SignalEndpoint(endpoint!, protocol, signalPath);
            exporter.Protocol = protocol;
            exporter.Headers = otlp.Headers;

            // A client of its own: a shared factory's handlers would log (and export) every export call.
            exporter.HttpClientFactory = () => new HttpClient { Timeout = TimeSpan.FromMilliseconds(exporter.TimeoutMilliseconds) };
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(options.ServiceName, serviceVersion: PlatformTelemetry.Version, autoGenerateServiceInstanceId: false)
                .AddDetector(sp => new NodeResourceDetector(sp.GetRequiredService<NodeIdentity>())))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PlatformTelemetry.Name).AddMeter(ExtraMeters);
                metrics.AddPrometheusExporter();
                if (endpoint is not null && otlp.Metrics)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        Configure(exporter, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    });
                }
            });

        // After the OpenTelemetry services, so that the meter provider listens when the node starts observing.
        services.AddHostedService<TelemetryNode>();
        if (endpoint is not null && otlp.Traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(PlatformTelemetry.Name)
                .AddOtlpExporter(exporter =>
                {
                    Configure(exporter, "v1/traces");
                    exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = interval;
                }));
        }

        if (endpoint is not null && otlp.Logs)
        {
            telemetry.WithLogging(
                logging => logging.AddProcessor(new SessionLogProcessor()).AddOtlpExporter((exporter, processor) =>
                {
                    Configure(exporter, "v1/logs");
                    processor.BatchExportProcessorOptions.ScheduledDelayMilliseconds = interval;
                }),
                logOptions => logOptions.IncludeFormattedMessage = true);
        }
    }

    /// <summary>Binds the section; a value of the wrong type stops the start with the binder's message, which names the key.</summary>
    internal static TelemetryOptions Bind(IConfiguration configuration)
    {
        var options = new TelemetryOptions();
        if (ConfigValidator.TryBind(configuration.GetSection(TelemetryOptions.Section), options) is { } problem)
        {
            throw new StartupException(problem);
        }

        return options;
    }
}

/// <summary>
/// The telemetry settings in force: the start's, then each valid reload. An invalid reload is logged with
/// its key and ignored. Only <c>Prometheus:Enabled</c> takes effect without a restart.
/// </summary>
public sealed class TelemetrySettings : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger _log;
    private readonly IDisposable _subscription;
    private TelemetryOptions _current;
    private int _applied;
    private int _rejected;

    public TelemetrySettings(IConfiguration configuration, TelemetryOptions initial, ILogger log)
    {
        _configuration = configuration;
        _log = log;
        _current = initial;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public TelemetryOptions Current => Volatile.Read(ref _current);

    /// <summary>How many reloads were applied and how many were refused.</summary>
    public (int Applied, int Rejected) Reloads => (Volatile.Read(ref _applied), Volatile.Read(ref _rejected));

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        TelemetryOptions next;
        try
        {
            next = TelemetrySetup.Bind(_configuration);
        }
        catch (StartupException ex)
        {
            Interlocked.Increment(ref _rejected);
            _log.LogError("telemetry settings reload ignored, previous values kept: {Problem}", ex.Message);
            return;
        }

        if (TelemetryConfig.Validate(next) is { } problem)
        {
            Interlocked.Increment(ref _rejected);
            _log.LogError("telemetry settings reload ignored, previous values kept: {Problem}", problem);
            return;
        }

        var previous = Current;
        if (previous.Otlp.Endpoint != next.Otlp.Endpoint || previous.Otlp.Protocol != next.Otlp.Protocol || previous.ServiceName != next.ServiceName)
        {
            _log.LogWarning("Telemetry:Otlp and Telemetry:ServiceName changes take effect at the next start");
        }

        Volatile.Write(ref _current, next);
        Interlocked.Increment(ref _applied);
    }
}

/// <summary>
/// Gives every log record written by a session's code the session's <c>ClientId</c> and <c>Stream</c>
/// attributes, unless the message already carries them (no key twice).
/// </summary>
internal sealed class SessionLogProcessor : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        if (SessionTelemetry.Current is not { } session)
        {
            return;
        }

        var attributes = data.Attributes ?? [];
        bool hasClient = false, hasStream = false;
        foreach (var attribute in attributes)
        {
            hasClient |= attribute.Key == "ClientId";
            hasStream |= attribute.Key == "Stream";
        }

        if (hasClient && hasStream)
        {
            return;
        }

        var info = session.Info;
        var extended = new List<KeyValuePair<string, object?>>(attributes.Count + 2);
        extended.AddRange(attributes);
        if (!hasClient)
        {
            extended.Add(new("ClientId", info.Id));
        }

        if (!hasStream)
        {
            extended.Add(new("Stream", SessionLogScope.StreamOf(info)));
        }

        data.Attributes = extended;
    }
}

/// <summary>Adds this node's hubs and clients to the observed instruments while the host runs.</summary>
internal sealed class TelemetryNode(HubRegistry hubs, ClientRegistry clients) : IHostedService
{
    private IDisposable? _observation;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _observation = PlatformTelemetry.Observe(new NodeMetrics(hubs, clients));
        PlatformTelemetry.InitializeCounters();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _observation?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The node's identity as resource attributes: the stable server id and the per-process service id.</summary>
internal sealed class NodeResourceDetector(NodeIdentity node) : IResourceDetector
{
    public Resource Detect() => new(new Dictionary<string, object>
    {
        ["service.instance.id"] = node.ServerId,
        ["platform.service.id"] = node.ServiceId,
        ["process.pid"] = node.Pid,
    });
}
