using Akka.Actor;
using Microsoft.Extensions.Logging;
using Platform.Sources.Config;
using Platform.Sources.Pull;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Workers.Processes;

namespace Platform.Sources.Workers;

/// <summary>How a pull by the platform's own client is doing, for the API.</summary>
public sealed record PullStatus(ProcessState State, string Reason, int Restarts, string? LastError, DateTimeOffset? RunningSince);

/// <summary>
/// Pulls a stream with the platform's own RTMP or HTTP-FLV client, again and again: each run connects, plays
/// and publishes what it receives into the stream (from its first frame on). Between runs it judges why the
/// last one ended: a stream that does not exist upstream gives up after a few tries; a network error, a
/// stall or an end of stream retries with backoff, for as long as the source is wanted. With several URLs
/// (an app's origins) a failing one passes to the next, and a new pull starts where the last one was.
/// </summary>
internal sealed class PullLoop : IAsyncDisposable
{
    private static readonly TimeSpan ReconnectAfterMedia = TimeSpan.FromMilliseconds(500);
    private readonly SourceSpec _spec;
    private readonly SourceHost _host;
    private readonly ILogger _log;
    private readonly Action<PullStatus> _changed;
    private readonly CancellationTokenSource _stop = new();
    private readonly RestartPolicy _policy;
    private readonly PullStats _stats = new();
    private TaskCompletionSource _restart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private int _restarts;
    private string? _lastError;
    private DateTimeOffset? _runningSince;

    public PullLoop(SourceSpec spec, SourceHost host, ILogger log, Action<PullStatus> changed)
    {
        _spec = spec;
        _host = host;
        _log = log;
        _changed = changed;
        _policy = new RestartPolicy(new RestartOptions
        {
            InitialBackoff = TimeSpan.FromSeconds(1),
            MaxBackoff = TimeSpan.FromSeconds(30),
            MaxFastFailures = int.MaxValue,
            MaxPermanentFailures = 3,
        });
    }

    public long BytesIn => Interlocked.Read(ref _stats.BytesIn);

    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>An operator starts a pull that gave up over again.</summary>
    public void Restart() => _restart.TrySetResult();

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var index = _host.FirstOrigin(_spec);
        var roundStart = index;
        var roundNotFound = true;
        while (!token.IsCancellationRequested)
        {
            if (CoordinatedShutdown.Get(_host.Control.System).ShutdownReason is not null)
            {
                // The node is stopping (a drain kicked the last run): no new pull, whose publish would ask an
                // entity being handed off and hold the shard region's shutdown; the source stops with its entity.
                await DelayAsync(Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
                break;
            }

            var url = _spec.Urls[index];
            Set(ProcessState.Starting, $"connecting to {SourceUrls.Shown(url)}");
            var (outcome, reason, hadMedia) = await RunOnceAsync(url, token).ConfigureAwait(false);
            if (token.IsCancellationRequested)
            {
                break;
            }

            _lastError = reason;
            _runningSince = null;
            if (hadMedia)
            {
                _host.OriginUsed(_spec, index);
                roundStart = index;
                roundNotFound = true;
                _policy.Reset();
                _restarts++;
                Set(ProcessState.Restarting, $"reconnecting: {reason}");
                _log.LogWarning("stream {Stream}: pull from {Url} ended ({Reason}); reconnecting", _spec.Stream, SourceUrls.Shown(url), reason);
                await DelayAsync(ReconnectAfterMedia, token).ConfigureAwait(false);
                continue;
            }

            roundNotFound &= outcome == PullOutcome.NotFound;
            if (_spec.Urls.Count > 1)
            {
                // The next origin at once; the backoff applies once a whole round has failed.
                index = (index + 1) % _spec.Urls.Count;
                _host.OriginUsed(_spec, index);
                if (index != roundStart)
                {
                    _log.LogInformation("stream {Stream}: {Url} failed ({Reason}); trying {Next}", _spec.Stream, SourceUrls.Shown(url), reason, SourceUrls.Shown(_spec.Urls[index]));
                    continue;
                }
            }

            var decision = _policy.RunEnded(TimeSpan.Zero, permanent: roundNotFound);
            roundNotFound = true;
            if (decision.GiveUp)
            {
                var why = $"gave up after {_policy.Options.MaxPermanentFailures} tries: the stream is not at the source ({reason})";
                Set(ProcessState.Failed, why);
                _log.LogError("stream {Stream}: pull from {Url} {Reason}", _spec.Stream, _spec.Shown, why);
                _restart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                try
                {
                    await _restart.Task.WaitAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                _policy.Reset();
                continue;
            }

            _restarts++;
            Set(ProcessState.Restarting, $"retrying in {decision.Delay.TotalSeconds:0.#} s: {reason}");
            _log.LogWarning("stream {Stream}: pull from {Url} failed ({Reason}); retrying in {Delay} s", _spec.Stream, SourceUrls.Shown(url), reason, decision.Delay.TotalSeconds);
            await DelayAsync(decision.Delay, token).ConfigureAwait(false);
        }

        Set(ProcessState.Stopped, "stopped");
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<(PullOutcome Outcome, string Reason, bool HadMedia)> RunOnceAsync(string url, CancellationToken token)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(token);
        string? stopReason = null;
        void Abort(string reason)
        {
            stopReason ??= reason;
            run.Cancel();
        }

        var control = _host.Control;
        var info = new ClientInfo(ClientIds.Next(), ClientKind.RtmpPublisher, "127.0.0.1", _spec.Stream, SourceUrls.Shown(url), string.Empty, string.Empty, string.Empty, DateTimeOffset.UtcNow)
        {
            Internal = new InternalOrigin($"source of {_spec.Stream}", []) { Announced = true },
        };
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var session = new SourceSession(info, () => BytesIn, reason => Abort($"kicked: {reason}"), letGo.Task);
            using var client = control.Connect(session);
            using var publisher = new LazyPublisher(control, client, _log, reason => Abort(reason));
            return await PullAsync(url, publisher, run, () => stopReason, token).ConfigureAwait(false);
        }
        finally
        {
            // The publish ended (its last report and unpublish sent) and the session is unregistered.
            letGo.TrySetResult();
        }
    }

    private async Task<(PullOutcome Outcome, string Reason, bool HadMedia)> PullAsync(string url, LazyPublisher publisher, CancellationTokenSource run, Func<string?> stopReason, CancellationToken token)
    {
        var options = new PullOptions { ConnectTimeout = TimeSpan.FromSeconds(10), StallTimeout = _spec.Rule.StallTimeout };
        var watch = Task.Run(async () =>
        {
            // Running from the first frame on: the API shows since when.
            while (!run.Token.IsCancellationRequested && publisher.Frames == 0)
            {
                await Task.Delay(100, run.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (publisher.Frames > 0)
            {
                _runningSince = DateTimeOffset.UtcNow;
                Set(ProcessState.Running, $"pulling {SourceUrls.Shown(url)}");
            }
        }, CancellationToken.None);
        try
        {
            await MediaPuller.RunAsync(new Uri(url), publisher.Write, options, _stats, run.Token).ConfigureAwait(false);
            return publisher.Frames > 0
                ? (PullOutcome.Ended, "the source ended the stream", true)
                : (PullOutcome.NotFound, "the source ended the stream before any media", false);
        }
        catch (SourceNotFoundException ex)
        {
            return (PullOutcome.NotFound, ex.Message, publisher.Frames > 0);
        }
        catch (SourceStalledException ex)
        {
            return (PullOutcome.Failed, ex.Message, publisher.Frames > 0);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            var reason = stopReason() ?? "cancelled";
            return (reason.StartsWith("kicked", StringComparison.Ordinal) ? PullOutcome.Failed : PullOutcome.NotFound, reason, publisher.Frames > 0);
        }
        catch (OperationCanceledException)
        {
            return (PullOutcome.Failed, "stopped", false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (PullOutcome.Failed, ex.Message, publisher.Frames > 0);
        }
        finally
        {
            await run.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Set(ProcessState state, string reason) =>
        _changed(new PullStatus(state, reason, _restarts, _lastError, state == ProcessState.Running ? _runningSince : null));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private enum PullOutcome
    {
        Ended,
        NotFound,
        Failed,
    }
}
