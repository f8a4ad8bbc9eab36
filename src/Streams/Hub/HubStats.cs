using Platform.Media.Codecs;

namespace Platform.Streams.Hub;

/// <summary>Counters of one hub, read by the API and reported to the stream's entity.</summary>
public sealed class HubStats
{
    private long _framesIn;
    private long _bytesIn;
    private long _bytesOut;

    public long FramesIn => Interlocked.Read(ref _framesIn);

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    public VideoCodecInfo? Video { get; set; }

    public AudioCodecInfo? Audio { get; set; }

    public DateTimeOffset? PublishedAt { get; private set; }

    internal void BeginPublish()
    {
        PublishedAt = DateTimeOffset.UtcNow;
        Video = null;
        Audio = null;
    }

    internal void CountIn(MediaFrame frame)
    {
        Interlocked.Increment(ref _framesIn);
        Interlocked.Add(ref _bytesIn, frame.Length);
    }

    /// <summary>Readers add what they sent.</summary>
    public void CountOut(long bytes) => Interlocked.Add(ref _bytesOut, bytes);
}
