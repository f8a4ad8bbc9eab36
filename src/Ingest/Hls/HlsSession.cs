using Platform.Streams;
using Platform.Streams.Clients;

namespace Platform.Ingest.Hls;

/// <summary>
/// One HLS viewer as a client: the playlist and segment requests that carry its <c>hls_ctx</c>. It has no
/// connection of its own; it lives while requests come, and ends after the idle timeout or a kick.
/// </summary>
public sealed class HlsSession : IClientSession
{
    private readonly HlsSessionRegistry _owner;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytesSent;
    private long _lastSeenMs;
    private int _ended;
    private bool _watching;

    internal HlsSession(HlsSessionRegistry owner, ClientInfo info, TimeSpan defaultTimeout)
    {
        _owner = owner;
        Info = info;
        DefaultTimeout = defaultTimeout;
        _lastSeenMs = Environment.TickCount64;
    }

    public ClientInfo Info { get; }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => 0;

    public Task Completion => _completion.Task;

    /// <summary>The idle timeout when <c>Http:HlsSessionTimeout</c> is not set (from the stream's fragment).</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>Milliseconds (<see cref="Environment.TickCount64"/>) of the last request.</summary>
    public long LastSeenMs => Volatile.Read(ref _lastSeenMs);

    public DateTimeOffset? LastActive => DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64 - LastSeenMs);

    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    internal ClientHandle? Handle { get; set; }

    /// <summary>The stream's entity counts this viewer (set once it accepted it).</summary>
    internal bool Watching
    {
        get => Volatile.Read(ref _watching);
        set => Volatile.Write(ref _watching, value);
    }

    /// <summary>A request of the session was served: it is alive, and sent this many bytes.</summary>
    public void Served(long bytes)
    {
        Volatile.Write(ref _lastSeenMs, Environment.TickCount64);
        if (bytes > 0)
        {
            Interlocked.Add(ref _bytesSent, bytes);
        }
    }

    /// <summary>Ends the session at once; its context is refused from now on.</summary>
    public void Kick(string reason) => _owner.End(this, reason, kicked: true);

    internal bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;

    internal void Completed() => _completion.TrySetResult();
}
