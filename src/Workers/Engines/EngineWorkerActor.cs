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
public sealed class EngineWorkerActor : ReceiveActor
{
    private const int LogLinesReported = 12;
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
        Receive<StartWorker>(_ =>
        {
            if (_supervisor?.Status.State != ProcessState.Failed)
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

    public static Props Props(EngineSettings engine, EngineHost host, StreamControl control, ILogger log) =>
        Akka.Actor.Props.Create(() => new EngineWorkerActor(engine, host, control, log));

    protected override void PreStart()
    {
        var worker = $"engine {_engine.Name} of {_engine.Source}";
        _readTicket = _control.Tickets.Issue(_engine.Source, AccessAction.Play, new InternalOrigin(worker, []));
        _publishTicket = _control.Tickets.Issue(_engine.Output, AccessAction.Publish, new InternalOrigin(worker, _engine.OutputLineage));
        StartSupervisor();
        _log.LogInformation("stream {Stream}: engine {Engine} publishes {Output}", _engine.Source, _engine.Name, _engine.Output);
    }

    private void StartSupervisor()
    {
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
}
