using Platform.Media.Buffers;
using Platform.Streams.Hub;

namespace Platform.Streams.Tests;

/// <summary>Minimal FLV bodies: AVC key/inter frames, AVC and AAC sequence headers, AAC raw audio.</summary>
internal static class Frames
{
    public static PooledBuffer KeyFrame(int size = 100) => Body(size, 0x17, 0x01);

    public static PooledBuffer InterFrame(int size = 50) => Body(size, 0x27, 0x01);

    public static PooledBuffer VideoHeader() => Body(16, 0x17, 0x00);

    public static PooledBuffer AudioHeader() => Body(4, 0xAF, 0x00);

    public static PooledBuffer Audio(int size = 20) => Body(size, 0xAF, 0x01);

    public static PooledBuffer Body(int size, byte first, byte second)
    {
        var buffer = PooledBuffer.Rent(size);
        buffer.Span.Clear();
        buffer.Span[0] = first;
        buffer.Span[1] = second;
        return buffer;
    }

    public static List<MediaFrame> Drain(ReaderQueue queue)
    {
        var batch = new List<MediaFrame>();
        while (queue.TakeBatch(batch) > 0)
        {
        }

        return batch;
    }

    public static void ReleaseAll(List<MediaFrame> frames)
    {
        foreach (var frame in frames)
        {
            frame.Release();
        }
    }
}
