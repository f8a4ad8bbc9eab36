using Akka.Actor;
using Platform.Streams.Entity;
using Platform.Streams.Hub;

namespace Platform.Streams;

/// <summary>
/// A granted play: the session takes batches of shared frames from its queue and writes them out.
/// Waits for a publisher (bounded by <see cref="StreamsOptions.PlayWaitTimeout"/>) before the first
/// publish and between publishers. Disposing it leaves the hub.
/// </summary>
public sealed class PlayLease : IDisposable
{
    private readonly StreamControl _control;
    private readonly string _clientId;
    private readonly System.Diagnostics.Activity? _span;
    private readonly IDisposable _demand;
    private int _disposed;

    private readonly TimeSpan _wait;

    internal PlayLease(StreamControl control, Clients.ClientInfo client, StreamHub hub, ReaderQueue queue, IDisposable demand, TimeSpan wait)
    {
        _demand = demand;
        _wait = wait;
        _control = control;
        _clientId = client.Id;
        Hub = hub;
        Queue = queue;
        _span = Telemetry.PlatformTelemetry.StartDetached("play", client);
    }

    public StreamHub Hub { get; }

    public ReaderQueue Queue { get; }

    /// <summary>Why the playback ended, when <see cref="NextBatchAsync"/> returned false.</summary>
    public string? EndReason { get; private set; }

    /// <summary>The playback ended because no publisher came in time (RTMP says NetStream.Play.StreamNotFound).</summary>
    public bool NoPublisher { get; private set; }

    /// <summary>
    /// Fills <paramref name="batch"/> with the next frames (the caller releases them after writing).
    /// Returns false when playback is over: queue closed (too slow, stream gone, session closing) or no
    /// publisher in time. A session that closes must close <see cref="Queue"/> to end the wait.
    /// </summary>
    public async ValueTask<bool> NextBatchAsync(List<MediaFrame> batch)
    {
        var waitStarted = 0L;
        while (true)
        {
            if (Queue.TakeBatch(batch) > 0)
            {
                return true;
            }

            if (Queue.IsClosed)
            {
                EndReason = Queue.CloseReason ?? "stream closed";
                return false;
            }

            if (Hub.IsPublishing)
            {
                // The common case: no timer, no allocation; a publisher change wakes the queue.
                waitStarted = 0;
                await Queue.WaitAsync();
                continue;
            }

            var wait = _wait;
            waitStarted = waitStarted == 0 ? Environment.TickCount64 : waitStarted;
            var left = wait - TimeSpan.FromMilliseconds(Environment.TickCount64 - waitStarted);
            if (left <= TimeSpan.Zero)
            {
                EndReason = $"no publisher for {wait.TotalSeconds:0} s";
                NoPublisher = true;
                return false;
            }

            using (new Timer(static q => ((ReaderQueue)q!).Wake(), Queue, left, Timeout.InfiniteTimeSpan))
            {
                await Queue.WaitAsync();
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Hub.RemoveReader(Queue);
        _control.Hubs.Release(Hub);
        _demand.Dispose();
        _control.Region.Tell(new StopPlaying(Hub.Key, _clientId));
        _span?.SetTag(Telemetry.TagNames.DroppedFrames, Queue.DroppedFrames);
        _span?.SetTag(Telemetry.TagNames.EndReason, EndReason ?? Queue.CloseReason);
        Telemetry.PlatformTelemetry.StopDetached(_span);
    }
}
