using System.Runtime.InteropServices;
using Platform.Ingest.Rtmp;
using Platform.Streams.Clients;

namespace Platform.Api.Hosting;

/// <summary>
/// A node's graceful exit. SIGTERM (or Ctrl+C), or a Leave through the management API, stops the host; before
/// any other service stops, this: turns <c>/ready</c> 503, stops taking new RTMP connections and new HTTP
/// media requests (a balancer sends them to the other nodes), gives the players and publishers still
/// connected <c>Cluster:DrainTimeout</c> to leave, then closes those that stayed. Only then do the other
/// services stop: the actor system hands the node's shards to the other nodes and leaves the cluster, and
/// the workers' recordings are closed. A second SIGTERM ends the wait at once.
/// </summary>
public sealed class NodeDrain : IHostedLifecycleService, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly Readiness _readiness;
    private readonly RtmpServer _rtmp;
    private readonly ClientRegistry _clients;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeSpan? _timeout;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _hurry = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private string? _reason;
    private int _signalCount;
    private int _failed;

    public NodeDrain(Readiness readiness, RtmpServer rtmp, ClientRegistry clients, IHostApplicationLifetime lifetime, PlatformOptions options, IServiceProvider services, ILogger<NodeDrain> log)
    {
        _services = services;
        _readiness = readiness;
        _rtmp = rtmp;
        _clients = clients;
        _lifetime = lifetime;
        _timeout = options.Cluster.DrainTimeout;
        _log = log;
    }

    /// <summary>Whether the node is draining: new media requests are turned away.</summary>
    public bool IsDraining => _readiness.IsDraining;

    /// <summary>Starts the drain (the same as SIGTERM): the host stops once it is over.</summary>
    public void Begin(string reason)
    {
        Interlocked.CompareExchange(ref _reason, reason, null);
        _lifetime.StopApplication();
    }

    /// <summary>Stops the node because it cannot work as configured: exit code 2, no wait for clients.</summary>
    public void Fail(string reason)
    {
        if (Interlocked.Exchange(ref _failed, 1) == 1)
        {
            return;
        }

        _log.LogCritical("stopping: {Reason}", reason);
        Environment.ExitCode = 2;
        Begin(reason);
        Hurry();
    }

    /// <summary>Ends the wait for clients at once: those still connected are closed now.</summary>
    public void Hurry()
    {
        if (!_hurry.IsCancellationRequested)
        {
            _log.LogWarning("drain cut short: closing the clients still connected now");
            _hurry.Cancel();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // The host's console lifetime turns the first SIGTERM or Ctrl+C into a stop, which drains; the next one hurries it.
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, _ =>
            {
                if (Interlocked.Increment(ref _signalCount) > 1)
                {
                    _log.LogWarning("{Signal} again while draining", signal);
                    Hurry();
                }
                else
                {
                    Interlocked.CompareExchange(ref _reason, signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT", null);
                }
            }));
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before any service stops: the listeners, the actor system and the sessions are all still up.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var reason = _reason ?? "host stopping";
        _readiness.Draining(reason);
        _rtmp.StopAccepting();
        var started = DateTime.UtcNow;
        var waiting = Connected();
        var system = _services.GetService<Akka.Actor.ActorSystem>();
        var cluster = system is { WhenTerminated.IsCompleted: false } ? Akka.Cluster.Cluster.Get(system) : null;
        var peers = cluster?.State.Members.Any(m => m.Status == Akka.Cluster.MemberStatus.Up && m.Address != cluster.SelfAddress) == true;
        var timeout = _timeout ?? (peers ? ClusterNodeOptions.DefaultDrainTimeout : TimeSpan.Zero);
        _log.LogWarning("draining ({Reason}): not ready, no new connections; {Count} player(s) and publisher(s) connected, waiting up to {Timeout:0.#} s for them to leave{Alone}",
            reason, waiting.Count, timeout.TotalSeconds, peers ? string.Empty : " (no other node to take them)");
        try
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(_hurry.Token, cancellationToken);

            // A node whose actor system already stopped (downed by the cluster) cannot serve its clients for long: no wait.
            while (system?.WhenTerminated.IsCompleted != true && waiting.Count > 0 && DateTime.UtcNow - started < timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), both.Token);
                waiting = Connected();
            }
        }
        catch (OperationCanceledException)
        {
        }

        waiting = Connected();
        if (waiting.Count > 0)
        {
            _log.LogWarning("drain: closing {Count} client(s) still connected after {Seconds:0.#} s", waiting.Count, (DateTime.UtcNow - started).TotalSeconds);
            foreach (var client in waiting)
            {
                client.Kick("node draining: reconnect to another node");
            }

            // Publishes end (and their recordings close) before the actor system goes.
            await Task.WhenAny(Task.WhenAll(waiting.Select(c => c.Completion)), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
        else
        {
            _log.LogInformation("drain: every player and publisher left after {Seconds:0.#} s", (DateTime.UtcNow - started).TotalSeconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _hurry.Dispose();
    }

    /// <summary>
    /// Players and publishers (RTMP and HTTP-FLV): HLS viewers move with their next request, links end with their
    /// streams, and the platform's own connections (engines, pulled sources) stop with the entity that runs them
    /// as it is handed off (closed here, their supervisor would only start them again).
    /// </summary>
    private List<IClientSession> Connected() =>
        [.. _clients.Snapshot().Where(c => c.Info.Internal is null && c.Info.Kind is ClientKind.RtmpConnecting or ClientKind.RtmpPublisher or ClientKind.RtmpPlayer or ClientKind.FlvPlayer)];
}
