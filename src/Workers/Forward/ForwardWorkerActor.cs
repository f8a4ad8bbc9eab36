using System.Globalization;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Hub;
using Platform.Streams.Security;
using Platform.Streams.Workers;

namespace Platform.Workers.Forward;

/// <summary>
/// One forward of a stream (SRS's <c>forward</c>), a child of the stream's entity like HLS: it reads the
/// stream wherever it is published (this node's link feeds the hub) and pushes it to its destination with a
/// <see cref="ForwardPump"/>, or, for the rule's backend, asks <c>on_forward</c> once for destinations and
/// pushes to each of them. It reports its state to the entity for the API at most once a second, and stops
/// when the publisher leaves (the entity starts it again at the next publish).
/// </summary>
public sealed class ForwardWorkerActor : ReceiveActor, IWithTimers
{
    private const string ReportTimer = "report";
    private const int EventsReported = 6;
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);
    private readonly ForwardSettings _settings;
    private readonly StreamControl _control;
    private readonly ForwardHost _host;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(ForwardPump Pump, Task Run)> _pumps = [];
    private readonly List<string> _notes = [];
    private StreamHub? _hub;
    private IDisposable? _demand;
    private string _backendState = ForwardStates.Connecting;
    private string _backendReason = string.Empty;
    private bool _asking;
    private WorkerReport? _reported;
    private long _reportedAt;

    public ForwardWorkerActor(ForwardSettings settings, StreamControl control, ForwardHost host, ILogger log)
    {
        _settings = settings;
        _control = control;
        _host = host;
        _log = log;
        Receive<PublisherChanged>(m =>
        {
            if (!m.Publishing)
            {
                Context.Stop(Self);
            }
        });
        Receive<ReportNow>(_ => Report());
        Receive<BackendAnswered>(OnBackendAnswered);
        Receive<StartWorker>(_ =>
        {
            if (_settings.Backend is null || _pumps.Count > 0 || _asking)
            {
                Sender.Tell(new WorkerControlled(false, $"{Self.Path.Name} is already running"));
                return;
            }

            _log.LogInformation("stream {Stream}: {Worker} asks its backend again, started by operator", _settings.Stream, Self.Path.Name);
            StartBackend();
            Sender.Tell(new WorkerControlled(true, $"{Self.Path.Name} asks {LogText.Redacted(_settings.Backend.ToString())} again"));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ForwardSettings settings, StreamControl control, ForwardHost host, ILogger log) =>
        Akka.Actor.Props.Create(() => new ForwardWorkerActor(settings, control, host, log));

    protected override void PreStart()
    {
        _demand = _control.Links.Demand(_settings.Stream);
        _hub = _control.Hubs.Acquire(_settings.Stream);
        if (_settings.Destination is { } destination)
        {
            StartPump(destination);
        }
        else
        {
            StartBackend();
        }

        Report();
        Timers.StartPeriodicTimer(ReportTimer, ReportNow.Instance, ReportInterval);
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        try
        {
            Task.WhenAll(_pumps.Select(p => p.Run)).Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException ex)
        {
            _log.LogWarning(ex, "stream {Stream}: forward {Forward} did not stop cleanly", _settings.Stream, _settings.Name);
        }

        foreach (var (pump, _) in _pumps)
        {
            _log.LogInformation("stream {Stream}: forward to {Destination} stopped, {Summary}", _settings.Stream, pump.Destination.Redacted, Summary(pump.Status()));
        }

        if (_hub is not null)
        {
            _control.Hubs.Release(_hub);
            _demand?.Dispose();
        }

        // _stop is not disposed: a pump that did not stop in time may still look at its token.
    }

    private void StartPump(ForwardDestination destination)
    {
        var pump = new ForwardPump(_hub!, _settings, destination, _log);
        var token = _stop.Token;
        _pumps.Add((pump, Task.Run(() => pump.RunAsync(token), CancellationToken.None)));
    }

    /// <summary>
    /// The backend is told who publishes: the stream's entity knows (asked through the region, as this
    /// worker may run on a node of its own role, under a worker host rather than the entity).
    /// </summary>
    private void StartBackend()
    {
        _asking = true;
        _notes.Clear();
        _backendState = ForwardStates.Connecting;
        _backendReason = $"asking {LogText.Redacted(_settings.Backend!.ToString())} for destinations";
        var backend = _settings.Backend;
        var stream = _settings.Stream;
        var control = _control;
        var host = _host;
        var token = _stop.Token;
        AskAsync().PipeTo(Self, success: answer => new BackendAnswered(answer), failure: ex => new BackendAnswered(new ForwardAnswer([], ex.Message)));

        async Task<ForwardAnswer> AskAsync()
        {
            Streams.Clients.ClientInfo? publisher = null;
            try
            {
                publisher = (await control.SnapshotAsync(stream, token)).Publisher;
            }
            catch (Exception ex) when (ex is AskTimeoutException or TimeoutException)
            {
                // The backend is asked all the same, without the publisher's details.
            }

            var request = new ForwardRequest(host.ServerId, publisher?.Id ?? string.Empty, publisher?.Ip ?? string.Empty, stream, publisher?.TcUrl ?? string.Empty, publisher?.Param ?? string.Empty);
            return await ForwardBackend.AskAsync(backend, request, token, host.Http);
        }
    }

    private void OnBackendAnswered(BackendAnswered m)
    {
        _asking = false;
        var backend = LogText.Redacted(_settings.Backend!.ToString());
        if (m.Answer.Failed)
        {
            _backendState = ForwardStates.Failed;
            _backendReason = $"{backend} gave no destinations: {m.Answer.Problem}";
            _log.LogWarning("stream {Stream}: on_forward {Backend} gave no destinations: {Problem}", _settings.Stream, backend, m.Answer.Problem);
            Report();
            return;
        }

        foreach (var url in m.Answer.Urls.Distinct(StringComparer.Ordinal))
        {
            var destination = ForwardDestination.TryParse(url, out var problem);
            if (destination is null)
            {
                _notes.Add($"{backend} gave {problem}: left out");
                _log.LogWarning("stream {Stream}: on_forward {Backend} gave {Problem}: left out", _settings.Stream, backend, problem);
                continue;
            }

            StartPump(destination);
        }

        if (_pumps.Count == 0)
        {
            _backendState = ForwardStates.Failed;
            _backendReason = $"{backend} gave no destinations";
        }

        _log.LogInformation("stream {Stream}: on_forward {Backend} gave {Count} destinations", _settings.Stream, backend, _pumps.Count);
        Report();
    }

    /// <summary>Tells the entity how the forward does, when that changed (at most once a second: the timer's pace).</summary>
    private void Report()
    {
        var statuses = _pumps.Select(p => p.Pump.Status()).ToList();
        WorkerReport report;
        if (statuses.Count == 0)
        {
            report = new WorkerReport(Self.Path.Name, _backendState, _backendReason, _settings.Backend is null ? null : LogText.Redacted(_settings.Backend.ToString()), 0, [.. _notes]);
        }
        else
        {
            var state = statuses.All(s => s.State == ForwardStates.Forwarding) ? ForwardStates.Forwarding
                : statuses.Any(s => s.State == ForwardStates.Reconnecting) ? ForwardStates.Reconnecting
                : ForwardStates.Connecting;
            var reason = string.Join("; ", statuses.Select(s => $"{s.Reason} ({Summary(s)})"));
            var log = new List<string>(_notes);
            foreach (var (pump, _) in _pumps)
            {
                var status = pump.Status();
                log.Add($"{status.Destination}: {status.State}, {Summary(status)}");
                log.AddRange(pump.Events(EventsReported).Select(e => _pumps.Count > 1 ? $"{status.Destination}: {e}" : e));
            }

            report = new WorkerReport(Self.Path.Name, state, reason, string.Join(", ", statuses.Select(s => s.Destination)), statuses.Sum(s => s.Reconnects), log);
        }

        var changed = _reported is null || _reported.State != report.State || _reported.Reason != report.Reason
            || _reported.Restarts != report.Restarts || !_reported.Log.SequenceEqual(report.Log);
        if (changed && (_reported is null || TimeProvider.System.GetElapsedTime(_reportedAt) >= ReportInterval * 0.9))
        {
            // A change within the second goes with the next tick.
            _reported = report;
            _reportedAt = TimeProvider.System.GetTimestamp();
            Context.Parent.Tell(report);
        }
    }

    private static string Summary(ForwardStatus status) =>
        status.Dropped > 0
            ? string.Create(CultureInfo.InvariantCulture, $"sent {status.BytesSent} bytes, {status.Reconnects} reconnects, {status.Dropped} frames dropped for a slow destination")
            : string.Create(CultureInfo.InvariantCulture, $"sent {status.BytesSent} bytes, {status.Reconnects} reconnects");

    private sealed record BackendAnswered(ForwardAnswer Answer);

    private sealed class ReportNow
    {
        public static readonly ReportNow Instance = new();
    }
}
