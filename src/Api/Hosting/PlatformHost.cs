using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Platform.Api.Endpoints;
using Platform.Api.Security;
using Platform.Ingest.Rtmp;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Hub;
using Platform.Streams.Workers;
using Platform.Workers;
using Platform.Workers.Rules;

namespace Platform.Api.Hosting;

/// <summary>
/// Builds one node: Akka (cluster, shard region, persistence), the RTMP listener, and Kestrel serving
/// HTTP-FLV, the HTTP API and the management endpoints each on its own port.
/// </summary>
public static class PlatformHost
{
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder.Configuration);
        var options = new PlatformOptions();
        builder.Configuration.Bind(options);
        StartupCheck.EnsurePortsFree(options);
        try
        {
            Directory.CreateDirectory(options.Storage.Root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Storage:Root = {options.Storage.Root}: cannot create the folder ({ex.Message})");
        }

        var streams = options.Streams.ToStreamsOptions();

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
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
        var unwritable = WorkerPlanner.UnwritableFolders(options.EffectiveApps, options.Storage.Root);
        var planner = new WorkerPlanner(options.EffectiveApps, options.Storage.Root, unwritable.ToDictionary(u => u.Folder, u => u.Problem));
        services.AddSingleton(planner);
        services.AddSingleton<IStreamWorkerFactory>(sp => new StreamWorkerFactory(planner, sp.GetRequiredService<StreamControl>, sp.GetRequiredService<ILoggerFactory>()));
        services.AddPlatformAkka(options, streams);
        services.AddSingleton(sp => new StreamControl(
            () => sp.GetRequiredService<ActorSystem>(),
            () => sp.GetRequiredService<IRequiredActor<StreamRegion>>().ActorRef,
            sp.GetRequiredService<HubRegistry>(),
            sp.GetRequiredService<ClientRegistry>(),
            streams,
            new AccessPipeline(sp.GetServices<IAccessCheck>(), sp.GetServices<IClientEventSink>())));
        services.AddSingleton<RtmpServer>();
        services.AddHostedService(sp => sp.GetRequiredService<RtmpServer>());
        services.AddHostedService<ReadinessProbe>();

        var app = builder.Build();
        var startupLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Startup");
        foreach (var (key, folder, problem) in unwritable)
        {
            startupLog.LogError("{Key} = {Folder} cannot be written ({Problem}): streams it covers play, but are not packaged or recorded", key, folder, problem);
        }

        // Recordings a crash left as .tmp are finalized up to their last complete tag before anything records.
        foreach (var root in options.EffectiveApps.Where(r => r.Enabled && r.Dvr.Enabled).Select(r => Path.GetFullPath(r.Dvr.Path, Path.GetFullPath(options.Storage.Root))).Distinct())
        {
            foreach (var recovered in Workers.Dvr.DvrRecovery.FinalizeLeftovers(root))
            {
                startupLog.LogWarning("recovered recording {File} ({Duration:0.0} s, {Size} bytes) left unfinished by a previous run", recovered.Path, recovered.Duration.TotalSeconds, recovered.Size);
            }
        }

        app.MapPlatformEndpoints(options);
        return app;
    }
}

/// <summary>Marks the node ready once the RTMP listener and Kestrel are open.</summary>
internal sealed class ReadinessProbe(RtmpServer rtmp, Readiness readiness, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await Task.WhenAll(rtmp.Listening, started.Task).WaitAsync(stoppingToken);
        readiness.ListenersOpen();
    }
}
