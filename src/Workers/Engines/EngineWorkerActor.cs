using Akka.Actor;
using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Workers;
using Platform.Workers.Processes;
using Platform.Workers.Rules;

namespace Platform.Workers.Engines;

/// <summary>
/// One transcode engine of a stream, a child of the stream's entity. It hands its ffmpeg two tickets (read
/// the source, publish the rendition, both over this node's RTMP listener), so the process is admitted as
/// the platform's own and the rendition's entity learns its lineage. A <see cref="ProcessSupervisor"/> owns
/// the process; each change of its state is reported to the entity for the API. The engine stops when its
/// source's publisher leaves (the entity starts it again at the next publish).
/// </summary>
public sealed class EngineWorkerActor : ReceiveActor, IWithTimers
{
    private const int LogLinesReported = 12;
    private static readonly TimeSpan BackendRetry = TimeSpan.FromSeconds(15);
    private readonly EngineSettings _engine;
    private readonly EngineHost _host;
    private readonly StreamControl _control;
    private readonly ILogger _log;
    private ProcessSupervisor? _supervisor;
    private string? _readTicket;
    private string? _publishTicket;

    public EngineWorkerActor(EngineSettings engine, EngineHost host, StreamControl control, ILogger log)
    {
        _engine = engine;
        _host = host;
        _control = control;
        _log = log;
        Receive<ProcessStatus>(Report);
        Receive<BackendAnswer>(OnBackend);
        Receive<AskBackend>(_ =>
        {
            if (_supervisor is null)
            {
                AskBackendNow();
            }
        });
        Receive<StartWorker>(_ =>
        {
            if (_supervisor is not null && _supervisor.Status.State != ProcessState.Failed)
            {
                Sender.Tell(new WorkerControlled(false, $"{Self.Path.Name} is already running"));
                return;
            }

            _log.LogInformation("stream {Stream}: engine {Engine} started again by operator", _engine.Source, _engine.Name);
            StartSupervisor();
            Sender.Tell(new WorkerControlled(true, $"engine {_engine.Name} started again"));
        });
        Receive<PublisherChanged>(m =>
        {
            if (!m.Publishing)
            {
                Context.Stop(Self);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(EngineSettings engine, EngineHost host, StreamControl control, ILogger log) =>
        Akka.Actor.Props.Create(() => new EngineWorkerActor(engine, host, control, log));

    protected override void PreStart()
    {
        var worker = $"engine {_engine.Name} of {_engine.Source}";
        _readTicket = _control.Tickets.Issue(_engine.Source, AccessAction.Play, new InternalOrigin(worker, []) { WorkerOf = _engine.Source });
        _publishTicket = _control.Tickets.Issue(_engine.Output, AccessAction.Publish, new InternalOrigin(worker, _engine.OutputLineage));
        if (_engine.Backend is not null)
        {
            AskBackendNow();
            return;
        }

        StartSupervisor();
        _log.LogInformation("stream {Stream}: engine {Engine} publishes {Output}", _engine.Source, _engine.Name, _engine.Output);
    }

    private void AskBackendNow() =>
        EngineBackend.AskAsync(_engine, _engine.Backend!).PipeTo(Self, success: answer => new BackendAnswer(answer.Run, answer.Reason));

    private void OnBackend(BackendAnswer answer)
    {
        if (_supervisor is not null)
        {
            return; // started by an operator meanwhile
        }

        if (answer.Run)
        {
            _log.LogInformation("stream {Stream}: engine {Engine} {Reason}, publishes {Output}", _engine.Source, _engine.Name, answer.Reason, _engine.Output);
            StartSupervisor();
            return;
        }

        // Not chosen (or the backend could not say): the engine stays off and asks again a little later.
        _log.LogInformation("stream {Stream}: engine {Engine} off: {Reason}", _engine.Source, _engine.Name, answer.Reason);
        Context.Parent.Tell(new WorkerReport(Self.Path.Name, "off", answer.Reason, _engine.Output.ToString(), 0, []));
        Timers.StartSingleTimer("backend", AskBackend.Instance, BackendRetry);
    }

    private void StartSupervisor()
    {
        // An operator starts a failed engine over: its old supervisor's loop has ended; release it.
        _supervisor?.DisposeAsync().AsTask().Wait(_host.Options.StopGrace + TimeSpan.FromSeconds(3));
        var arguments = EngineArguments.Build(_engine, _host.RtmpHost, _host.RtmpPort, _readTicket!, _publishTicket!);
        var self = Self;
        _supervisor = new ProcessSupervisor(
            $"stream {_engine.Source}: engine {_engine.Name}",
            () => new ProcessSpec(_host.Options.Ffmpeg, arguments),
            _host.Options.Supervisor(),
            _host.Reaper,
            _log,
            status => self.Tell(status));
        _supervisor.Start();
    }

    protected override void PostStop()
    {
        // The process is asked to finish (SIGINT) and killed after the grace period; the actor waits that long at most.
        _supervisor?.StopAsync().Wait(_host.Options.StopGrace + TimeSpan.FromSeconds(3));
        _control.Tickets.Revoke(_readTicket);
        _control.Tickets.Revoke(_publishTicket);
    }

    private void Report(ProcessStatus status)
    {
        var log = status.Log.Count > LogLinesReported ? status.Log.Skip(status.Log.Count - LogLinesReported).ToArray() : status.Log;
        Context.Parent.Tell(new WorkerReport(Self.Path.Name, status.State.ToString().ToLowerInvariant(), status.Reason, _engine.Output.ToString(), status.Restarts, log));
    }

    private sealed record BackendAnswer(bool Run, string Reason);

    private sealed class AskBackend
    {
        public static readonly AskBackend Instance = new();
    }
}
