namespace Platform.Streams.Telemetry;

/// <summary>
/// Process-wide totals of what readers' queues dropped. Queues report once per drop episode (an overflow,
/// the keyframe that ends a skip, the close), never per frame.
/// </summary>
public static class ReaderDrops
{
    private static long s_droppedFrames;
    private static long s_overflows;

    public static long DroppedFrames => Interlocked.Read(ref s_droppedFrames);

    public static long Overflows => Interlocked.Read(ref s_overflows);

    internal static void AddDropped(long frames) => Interlocked.Add(ref s_droppedFrames, frames);

    internal static void AddOverflow() => Interlocked.Increment(ref s_overflows);
}
