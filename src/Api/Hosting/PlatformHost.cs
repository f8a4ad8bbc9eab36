using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Platform.Api.Endpoints;
using Platform.Api.Hooks;
using Platform.Api.Security;
using Platform.Ingest.Hls;
using Platform.Ingest.Rtmp;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Hub;
using Platform.Streams.Workers;
using Platform.Workers;
using Platform.Workers.Engines;
using Platform.Workers.Processes;
using Platform.Workers.Rules;

namespace Platform.Api.Hosting;

/// <summary>
/// Builds one node: Akka (cluster, shard region, persistence), the RTMP listener, and Kestrel serving
/// HTTP-FLV, the HTTP API and the management endpoints each on its own port.
/// </summary>
public static class PlatformHost
{
    /// <param name="configure">Adds configuration sources (tests add files they edit to test reloads).</param>
    /// <param name="extraServices">Adds services after the node's own (tests add access checks and event sinks).</param>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? extraServices = null)
    {
        var builder = ReadingJson("appsettings.json", () => WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory }));
        if (builder.Configuration["config"] is { Length: > 0 } file)
        {
            // An operator's settings file, watched for changes; the command line still has the last word.
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new StartupException($"--config {file}: no such file");
            }

            ReadingJson($"--config {file}", () => builder.Configuration.AddJsonFile(path, optional: false, reloadOnChange: true));
            builder.Configuration.AddCommandLine(args);
        }

        configure?.Invoke(builder.Configuration);
        var options = new PlatformOptions();
        if (ConfigValidator.TryBind(builder.Configuration, options) is { } bindProblem)
        {
            throw new StartupException(bindProblem);
        }

        if (ConfigValidator.Validate(options) is { Count: > 0 } problems)
        {
            throw new StartupException(string.Join("; ", problems));
        }

        if ((options.Api.ValidateAuth() ?? options.Management.ValidateAuth() ?? options.Http.ValidateHlsSessions() ?? options.Cluster.Validate()) is { } invalid)
        {
            throw new StartupException(invalid);
        }

        StartupCheck.EnsurePortsFree(options);
        StartupCheck.EnsurePersistence(options.Storage);
        try
        {
            Directory.CreateDirectory(options.Storage.Root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Storage:Root = {options.Storage.Root}: cannot create the folder ({ex.Message})");
        }

        var streams = options.Streams.ToStreamsOptions() with
        {
            PublishRefusal = options.Cluster.IsEdge && options.Cluster.EdgePublishers == "refuse"
                ? "this node is an edge of the cluster and takes no publishers: publish to an origin"
                : null,
        };

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // Every failing probe would be an error line; readiness changes are logged where they happen instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        builder.AddPlatformTelemetry();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(options.Http.BindAddress), options.Http.Port);
            kestrel.Listen(IPAddress.Parse(options.Api.BindAddress), options.Api.Port);
            kestrel.Listen(IPAddress.Parse(options.Management.BindAddress), options.Management.Port);
            kestrel.AddServerHeader = false;
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Rtmp);
        services.AddSingleton(streams);
        services.AddSingleton(new NodeIdentity(options.Storage.Root));
        services.AddSingleton<Readiness>();
        services.AddSingleton(new HubRegistry(_ => streams.Hub));
        services.AddSingleton<ClientRegistry>();

        // The built-in protection is the first access check: hook checks are registered after it.
        services.AddStreamSecurity(builder.Configuration);
        services.AddSingleton(sp => new AppRules(builder.Configuration, options.EffectiveApps, options.Storage.Root, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Configuration")));
        services.AddSingleton<IStreamWorkerFactory>(sp =>
        {
            var rules = sp.GetRequiredService<AppRules>();
            return new StreamWorkerFactory(() => rules.Planner, sp.GetRequiredService<StreamControl>, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<EngineHost>(), new Platform.Workers.Forward.ForwardHost(sp.GetRequiredService<NodeIdentity>().ServerId));
        });
        services.AddSingleton(sp => new EngineHost(
            options.Engines,
            LoopbackOf(options.Rtmp.BindAddress),
            options.Rtmp.Port,
            new ChildProcessReaper(Path.Combine(Path.GetFullPath(options.Storage.Root), "run", "children"), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Engines"))));
        services.AddSingleton(sp => new SourceRules(builder.Configuration, options.Sources, sp.GetRequiredService<AppRules>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Configuration")));
        services.AddSingleton(sp => new Platform.Sources.Workers.SourceHost(sp.GetRequiredService<StreamControl>, sp.GetRequiredService<EngineHost>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<Platform.Streams.Sources.IStreamSourceFactory>(sp =>
        {
            var sources = sp.GetRequiredService<SourceRules>();
            return new Platform.Sources.SourceFactory(() => sources.Catalog, sp.GetRequiredService<Platform.Sources.Workers.SourceHost>());
        });
        services.AddSingleton<WorkerRegions>();
        var recoveredRecordings = new RecoveredRecordings();
        services.AddSingleton(recoveredRecordings);
        services.AddPlatformAkka(options, streams);

        // HTTP callbacks' notifications, registered before the listeners so they are sent while those stop.
        services.AddPlatformHooks(builder.Configuration);
        services.AddSingleton(sp => new StreamControl(
            () => sp.GetRequiredService<ActorSystem>(),
            () => sp.GetRequiredService<IRequiredActor<StreamRegion>>().ActorRef,
            sp.GetRequiredService<HubRegistry>(),
            sp.GetRequiredService<ClientRegistry>(),
            streams,
            new AccessPipeline(sp.GetServices<IAccessCheck>(), sp.GetServices<IClientEventSink>()))
        {
            PlayWaitOf = (stream, kind) => PlayWait(sp, stream, kind),
        });
        services.AddMediaLinks(options.Cluster);
        services.AddSingleton(new SystemStats());
        services.AddSingleton(sp => new ReloadableOptions<ApiOptions>(builder.Configuration, options.Api, c => BindApi(c, options.Api), a => a.ValidateAuth(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Config")));
        services.AddSingleton(sp => new ReloadableOptions<HttpOptions>(builder.Configuration, options.Http, c => c.GetSection("Http").Get<HttpOptions>() ?? new HttpOptions(),
            h => h.ValidateHlsSessions(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Config")));
        services.AddSingleton<ApiGate>();
        services.AddSingleton<HlsRelay>();
        services.AddSingleton(sp =>
        {
            var http = sp.GetRequiredService<ReloadableOptions<HttpOptions>>();
            return new HlsSessionRegistry(sp.GetRequiredService<StreamControl>(), () => new HlsSessionLimits(http.Current.HlsSessionTimeout, http.Current.HlsMaxSessions),
                sp.GetRequiredService<ILogger<HlsSessionRegistry>>());
        });
        services.AddSingleton<RtmpServer>();
        services.AddHostedService(sp => sp.GetRequiredService<RtmpServer>());
        services.AddHostedService<ReadinessProbe>();
        services.AddPlatformHealthChecks();
        services.AddSingleton<ManagementAuth>();

        // The drain runs before any service stops; the host waits for it (and for the actor system's hand-off after it).
        services.AddSingleton<NodeDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeDrain>());
        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.Cluster.MaxDrainTimeout + TimeSpan.FromSeconds(60));
        extraServices?.Invoke(services);

        // Access checks run in registration order: hook servers are asked last, once every other check allowed.
        services.AddHookAccessCheck();

        var app = builder.Build();
        var startupLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Startup");
        foreach (var (key, folder, problem) in app.Services.GetRequiredService<AppRules>().Unwritable)
        {
            startupLog.LogError("{Key} = {Folder} cannot be written ({Problem}): streams it covers play, but are not packaged or recorded", key, folder, problem);
        }

        // Recordings a crash left as .tmp are finalized up to their last complete tag before anything records
        // (in every enabled rule's folder: an operator can record any stream), and go to the catalog at start.
        var planner = app.Services.GetRequiredService<AppRules>().Planner;
        foreach (var root in planner.DvrFolders())
        {
            foreach (var recovered in Workers.Dvr.DvrRecovery.FinalizeLeftovers(root))
            {
                startupLog.LogWarning("recovered recording {File} ({Duration:0.0} s, {Size} bytes) left unfinished by a previous run", recovered.Path, recovered.Duration.TotalSeconds, recovered.Size);
                if (planner.RecordingStream(recovered.Path) is { } stream)
                {
                    recoveredRecordings.Add(new DvrFileClosed(stream, recovered.Path, recovered.Start, recovered.Duration, recovered.Size));
                }
                else
                {
                    startupLog.LogWarning("recovered recording {File} is not cataloged: no rule's Dvr:Path and Dvr:File give its name", recovered.Path);
                }
            }
        }

        // HLS files a previous run left (it was killed) describe a stream that is not packaged here any more:
        // served as they are, they would beat the live playlist another node relays. Nothing packages yet.
        foreach (var root in app.Services.GetRequiredService<AppRules>().HlsRoots.Where(Directory.Exists))
        {
            var stale = Directory.EnumerateFiles(root, "*.m3u8", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(root, "*.ts", SearchOption.AllDirectories)).ToList();
            foreach (var leftover in stale)
            {
                File.Delete(leftover);
            }

            if (stale.Count > 0)
            {
                startupLog.LogWarning("removed {Count} HLS file(s) a previous run left in {Root}", stale.Count, root);
            }
        }

        // Engines' ffmpeg processes a previous run of this node left running (it crashed or was killed).
        var reaped = app.Services.GetRequiredService<EngineHost>().Reaper.ReapLeftovers();
        if (reaped > 0)
        {
            startupLog.LogWarning("ended {Count} engine process(es) a previous run left running", reaped);
        }

        var changesWatch = ConfigChanges.Watch(builder.Configuration, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Configuration"));
        app.Lifetime.ApplicationStopped.Register(changesWatch.Dispose);
        LogSummary(startupLog, builder.Configuration, options, app.Services.GetRequiredService<Platform.Streams.Security.SecurityRules>().Current.RuleCount);
        app.MapPlatformEndpoints(options);
        return app;
    }

    /// <summary>What the node is about to be, in a few lines: where its settings and data are, its cluster, rules and listeners.</summary>
    /// <summary>
    /// How long a player waits for a publisher: the app's setting, but a pulled stream's players wait at least
    /// for its source's first frames (its start timeout); its entity tells them sooner when the source fails.
    /// </summary>
    private static TimeSpan? PlayWait(IServiceProvider services, StreamKey stream, ClientKind kind)
    {
        var wait = services.GetRequiredService<AppRules>().Planner.PlayWait(stream, kind == ClientKind.FlvPlayer);
        if (services.GetRequiredService<SourceRules>().Catalog.Resolve(stream) is { } source)
        {
            var start = source.Rule.StartTimeout + TimeSpan.FromSeconds(2);
            return wait is { } w && w > start ? w : start;
        }

        return wait;
    }

    private static void LogSummary(ILogger log, IConfigurationRoot configuration, PlatformOptions options, int securityRules)
    {
        var files = configuration.Providers.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationProvider>()
            .Select(p => p.Source.FileProvider?.GetFileInfo(p.Source.Path ?? string.Empty) is { Exists: true } f ? f.PhysicalPath : null)
            .OfType<string>()
            .ToList();
        log.LogInformation("settings read from {Files} and the command line; data in {Root}",
            files.Count > 0 ? string.Join(", ", files) : "no file", Path.GetFullPath(options.Storage.Root));
        var cluster = options.Cluster;
        log.LogInformation("cluster: {How}, persistence {Provider}, roles {Roles}",
            cluster.Bootstrap.Enabled ? $"formed by bootstrap ({cluster.Bootstrap.Discovery} discovery{(cluster.Bootstrap.IsKubernetes ? string.Empty : " of " + string.Join(", ", cluster.Bootstrap.Endpoints))})"
                : cluster.Seeds.Count == 0 ? "this node alone (no Cluster:Seeds)" : "joining " + string.Join(", ", cluster.Seeds),
            options.Storage.Provider, cluster.Roles.Count == 0 ? "none (every node does everything)" : string.Join(", ", cluster.Roles));
        if (options.Placement.Roles.Count > 0)
        {
            log.LogInformation("placement: engines on {Engines}, recordings on {Dvr}, forwards on {Forward}",
                Placed(options.Placement.Engines), Placed(options.Placement.Dvr), Placed(options.Placement.Forward));
        }
        foreach (var (rule, index) in options.EffectiveApps.Select((r, i) => (r, i)))
        {
            var hls = !rule.Enabled || !rule.Hls.Enabled ? "off" : $"{(rule.Hls.Deterministic ? "deterministic " : string.Empty)}{rule.Hls.Fragment.TotalSeconds:0.###} s fragments";
            var dvr = !rule.Enabled || !rule.Dvr.Enabled ? "off" : rule.Dvr.Plan.ToString().ToLowerInvariant();
            var engines = rule.Engines.Count == 0 ? string.Empty : $", engines {string.Join(", ", rule.Engines.Select(e => e.Name))}";
            var forwards = rule.Forward.IsEnabled ? $", forward to {rule.Forward.Destinations.Count} destination(s){(string.IsNullOrWhiteSpace(rule.Forward.Backend) ? string.Empty : " and a backend")}" : string.Empty;
            var covers = rule.Engine is null ? string.Empty : $" (renditions of engine {rule.Engine})";
            log.LogInformation("rule Apps:{Index} {Vhost}/{App}/{Stream}{Covers}: HLS {Hls}, DVR {Dvr}{Engines}{Forwards}", index, rule.Vhost, rule.App, rule.Stream, covers, hls, dvr, engines, forwards);
        }

        log.LogInformation("security: {Count} rule(s); listeners: RTMP {RtmpAddress}:{Rtmp}, HTTP-FLV/HLS {HttpAddress}:{Http}, API {ApiAddress}:{Api}, management {MgmtAddress}:{Mgmt}, cluster {ClusterAddress}:{Cluster}{Media}",
            securityRules, options.Rtmp.BindAddress, options.Rtmp.Port, options.Http.BindAddress, options.Http.Port, options.Api.BindAddress, options.Api.Port,
            options.Management.BindAddress, options.Management.Port, cluster.EffectiveBindAddress, cluster.Port,
            cluster.LinksEnabled ? $", media links {cluster.EffectiveMediaBindAddress}:{cluster.MediaPort}" : " (no media links: no Cluster:Secret)");
    }

    private static string Placed(string role) => string.IsNullOrWhiteSpace(role) ? "the stream's entity node" : $"nodes with role {role}";

    /// <summary>The address an engine on this node reaches the RTMP listener at: loopback when it listens on every interface.</summary>
    private static string LoopbackOf(string bindAddress) =>
        bindAddress is "0.0.0.0" or "::" or "*" or "+" ? (bindAddress == "::" ? "[::1]" : "127.0.0.1") : bindAddress;

    /// <summary>Runs a step that reads a settings file; a file that is not JSON stops the start with its line and column.</summary>
    private static T ReadingJson<T>(string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (JsonCause(ex) is { } json)
        {
            var where = json.LineNumber is { } line ? $" at line {line + 1}, column {(json.BytePositionInLine ?? 0) + 1}" : string.Empty;
            throw new StartupException($"{what}: not valid JSON{where} ({FirstSentence(json.Message)})");
        }
    }

    private static System.Text.Json.JsonException? JsonCause(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is System.Text.Json.JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    /// <summary>The API's settings after a reload; where it listens changes only with a restart.</summary>
    private static ApiOptions BindApi(IConfiguration configuration, ApiOptions started)
    {
        var api = new ApiOptions();
        configuration.GetSection("Api").Bind(api);
        api.Port = started.Port;
        api.BindAddress = started.BindAddress;
        return api;
    }
}

/// <summary>Recordings finished at start-up from a previous run's leftovers, for the catalog to add once it runs.</summary>
public sealed class RecoveredRecordings : List<DvrFileClosed>;

/// <summary>Marks the node ready once the RTMP listener and Kestrel are open.</summary>
internal sealed class ReadinessProbe(RtmpServer rtmp, IServiceProvider services, Readiness readiness, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        var links = services.GetService<Platform.Ingest.Cluster.MediaLinkServer>()?.Listening ?? Task.FromResult<IPEndPoint>(null!);
        await Task.WhenAll(rtmp.Listening, links, started.Task).WaitAsync(stoppingToken);
        readiness.ListenersOpen();
    }
}
