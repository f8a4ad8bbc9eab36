using Microsoft.Extensions.Logging;
using Platform.Media.Buffers;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Hub;

namespace Platform.Sources.Workers;

/// <summary>
/// Publishes a pull into its stream at its first frame, not at its connection: a source that connects but
/// has nothing (a stream that does not exist upstream) never shows as published, and hooks hear of it only
/// when media comes. Frames that arrive while the entity is asked wait in a bounded list.
/// </summary>
internal sealed class LazyPublisher(StreamControl control, ClientHandle client, ILogger log, Action<string> refused) : IDisposable
{
    private const int MaxPending = 4096;
    private readonly Lock _lock = new();
    private readonly List<(FrameKind Kind, uint Timestamp, PooledBuffer Payload)> _pending = [];
    private PublishLease? _lease;
    private bool _asked;
    private bool _closed;
    private long _frames;

    public long Frames => Interlocked.Read(ref _frames);

    public bool Published { get; private set; }

    public void Write(FrameKind kind, uint timestamp, PooledBuffer payload)
    {
        Interlocked.Increment(ref _frames);
        lock (_lock)
        {
            if (_lease is not null)
            {
                _lease.Write(kind, timestamp, payload);
                return;
            }

            if (_closed || _pending.Count >= MaxPending)
            {
                payload.Release();
                return;
            }

            _pending.Add((kind, timestamp, payload));
            if (!_asked)
            {
                _asked = true;
                _ = PublishAsync();
            }
        }
    }

    private async Task PublishAsync()
    {
        var info = client.Session.Info;
        string? refusal;
        try
        {
            var decision = await control.Access.CheckAsync(AccessAction.Publish, info, CancellationToken.None);
            refusal = decision.Allowed ? null : $"publish refused: {decision.Reason}";
            if (refusal is null)
            {
                var outcome = await control.PublishAsync(client, CancellationToken.None);
                refusal = outcome.Rejection;
                if (outcome.Lease is { } lease)
                {
                    lock (_lock)
                    {
                        if (_closed)
                        {
                            lease.Dispose();
                            return;
                        }

                        foreach (var (kind, timestamp, payload) in _pending)
                        {
                            lease.Write(kind, timestamp, payload);
                        }

                        _pending.Clear();
                        _lease = lease;
                        Published = true;
                    }

                    log.LogInformation("stream {Stream}: publishing the pull", info.Stream);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is Akka.Actor.AskTimeoutException or TaskCanceledException or InvalidOperationException)
        {
            refusal = $"publish not answered: {ex.Message}";
        }

        refused(refusal ?? "publish refused");
    }

    public void Dispose()
    {
        PublishLease? lease;
        lock (_lock)
        {
            _closed = true;
            lease = _lease;
            _lease = null;
            foreach (var pending in _pending)
            {
                pending.Payload.Release();
            }

            _pending.Clear();
        }

        if (lease is not null)
        {
            lease.Dispose();
            control.Access.Notify(ClientEventKind.Unpublished, client.Session.Info);
        }
    }
}
