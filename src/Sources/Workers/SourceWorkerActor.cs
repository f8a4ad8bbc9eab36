using Akka.Actor;
using Microsoft.Extensions.Logging;
using Platform.Sources.Config;
using Platform.Streams.Access;
using Platform.Streams.Sources;
using Platform.Streams.Workers;
using Platform.Workers.Processes;

namespace Platform.Sources.Workers;

/// <summary>
/// A stream's source, the child <c>source</c> of its entity, which starts it while the source is wanted and
/// stops it when not. RTMP and HTTP-FLV URLs (and an app's origins) are pulled by the platform's own
/// clients (<see cref="PullLoop"/>); the rest by ffmpeg under a <see cref="ProcessSupervisor"/>, publishing
/// into this node's RTMP listener with a ticket. Either way the publisher is announced (hooks hear of it),
/// and each change of state goes to the entity as a <see cref="SourceReport"/>. When no media came within
/// the source's start timeout it reports <c>unavailable</c>, so that the readers waiting are told.
/// </summary>
public sealed class SourceWorkerActor : ReceiveActor, IWithTimers
{
    private const int LogLinesKept = 12;
    private readonly SourceSpec _spec;
    private readonly SourceHost _host;
    private readonly ILogger _log;
    private ProcessSupervisor? _supervisor;
    private PullLoop? _pull;
    private string? _ticket;
    private SourceReport? _last;
    private bool _gotMedia;

    public SourceWorkerActor(SourceSpec spec, SourceHost host)
    {
        _spec = spec;
        _host = host;
        _log = host.Loggers.CreateLogger<SourceWorkerActor>();
        Receive<ProcessStatus>(OnProcessStatus);
        Receive<PullStatus>(OnPullStatus);
        Receive<StartTimedOut>(_ =>
        {
            if (!_gotMedia && _last?.State != "failed")
            {
                Report(new SourceReport("unavailable", $"no media within {_spec.Rule.StartTimeout.TotalSeconds:0.#} s: {_last?.LastError ?? _last?.Reason ?? "no answer"}", _last?.Restarts ?? 0, _last?.LastError, null));
            }
        });
        Receive<StartWorker>(_ =>
        {
            _log.LogInformation("stream {Stream}: source {Url} started again by operator", _spec.Stream, _spec.Shown);
            if (_pull is not null)
            {
                _pull.Restart();
            }
            else
            {
                StartSupervisor();
            }

            Sender.Tell(new WorkerControlled(true, "source started again"));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SourceSpec spec, SourceHost host) => Akka.Actor.Props.Create(() => new SourceWorkerActor(spec, host));

    /// <summary>Whether the platform's own clients pull it (no ffmpeg).</summary>
    public static bool PulledByOwnClient(SourceSpec spec) => spec.FromOrigin || spec.Input is SourceInput.Rtmp or SourceInput.Flv;

    protected override void PreStart()
    {
        var self = Self;
        Timers.StartSingleTimer("start", StartTimedOut.Instance, _spec.Rule.StartTimeout);
        if (PulledByOwnClient(_spec))
        {
            _pull = new PullLoop(_spec, _host, _log, status => self.Tell(status));
            _pull.Start();
        }
        else
        {
            _ticket = _host.Control.Tickets.Issue(_spec.Stream, AccessAction.Publish, new InternalOrigin($"source of {_spec.Stream}", []) { Announced = true });
            StartSupervisor();
        }

        _log.LogInformation("stream {Stream}: pulling {Url} ({Kind})", _spec.Stream, _spec.Shown, _spec.Kind);
    }

    private void StartSupervisor()
    {
        var options = _host.Ffmpeg.Options;
        _supervisor?.DisposeAsync().AsTask().Wait(options.StopGrace + TimeSpan.FromSeconds(3));
        var arguments = SourceArguments.Build(_spec, _spec.Urls[0], _host.Ffmpeg.RtmpHost, _host.Ffmpeg.RtmpPort, _ticket!);
        var self = Self;
        var supervision = options.Supervisor() with
        {
            StallTimeout = _spec.Rule.StallTimeout,
            StartTimeout = _spec.Rule.StartTimeout > TimeSpan.FromSeconds(10) ? _spec.Rule.StartTimeout : TimeSpan.FromSeconds(10),
            Restart = options.Supervisor().Restart with { MaxFastFailures = int.MaxValue, MaxPermanentFailures = 3 },
            IsPermanent = SourceArguments.MeansNotFound,
        };
        _supervisor = new ProcessSupervisor(
            $"stream {_spec.Stream}: source",
            () => new ProcessSpec(options.Ffmpeg, arguments),
            supervision,
            _host.Ffmpeg.Reaper,
            _log,
            status => self.Tell(status));
        _supervisor.Start();
    }

    private void OnProcessStatus(ProcessStatus status)
    {
        var state = status.State.ToString().ToLowerInvariant();
        _gotMedia |= status.State == ProcessState.Running;
        var log = status.Log.Count > LogLinesKept ? status.Log.Skip(status.Log.Count - LogLinesKept) : status.Log;
        var lastError = status.State is ProcessState.Restarting or ProcessState.Failed ? status.Reason : _last?.LastError;
        Report(new SourceReport(state, status.Reason, status.Restarts, lastError, status.State == ProcessState.Running ? status.Since : null)
        {
            Log = [.. log],
        });
    }

    private void OnPullStatus(PullStatus status)
    {
        _gotMedia |= status.State == ProcessState.Running;
        Report(new SourceReport(status.State.ToString().ToLowerInvariant(), status.Reason, status.Restarts, status.LastError, status.RunningSince));
    }

    private void Report(SourceReport report)
    {
        // ffmpeg and the clients quote the URL they failed on: never with its credentials.
        report = report with
        {
            Reason = SourceUrls.Scrubbed(report.Reason),
            LastError = report.LastError is null ? null : SourceUrls.Scrubbed(report.LastError),
            Log = [.. report.Log.Select(SourceUrls.Scrubbed)],
        };
        _last = report;
        Context.Parent.Tell(report);
    }

    protected override void PostStop()
    {
        var grace = _host.Ffmpeg.Options.StopGrace + TimeSpan.FromSeconds(3);
        _supervisor?.StopAsync().Wait(grace);
        _pull?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        _host.Control.Tickets.Revoke(_ticket);
        _log.LogInformation("stream {Stream}: source {Url} stopped", _spec.Stream, _spec.Shown);
    }

    private sealed class StartTimedOut
    {
        public static readonly StartTimedOut Instance = new();
    }
}
