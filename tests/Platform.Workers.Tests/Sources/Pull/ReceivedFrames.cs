using System.Collections.Concurrent;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Sources.Pull;
using Platform.Streams.Hub;

namespace Platform.Workers.Tests.Sources.Pull;

/// <summary>What a pull handed to its callback: each message copied, its payload released as the hub would.</summary>
public sealed class ReceivedFrames
{
    public sealed record Frame(FrameKind Kind, uint Timestamp, byte[] Payload);

    public ConcurrentQueue<Frame> Frames { get; } = new();

    private readonly ConcurrentQueue<PooledBuffer> _payloads = new();

    public PullStats Stats { get; } = new();

    public PulledFrame Callback => OnFrame;

    public Frame[] Snapshot() => [.. Frames];

    /// <summary>Payloads still referenced by someone after the callee released its reference (a leak once the pull ended).</summary>
    public int Held => _payloads.Count(p => p.RefCount != 0);

    private void OnFrame(FrameKind kind, uint timestamp, PooledBuffer payload)
    {
        _payloads.Enqueue(payload);
        Frames.Enqueue(new Frame(kind, timestamp, payload.ReadOnlySpan.ToArray()));
        payload.Release();
    }

    /// <summary>The AMF0 values of a data message (onMetaData and its object).</summary>
    public static IReadOnlyList<object?> Values(Frame frame) => RtmpCommand.ParseValues(new System.Buffers.ReadOnlySequence<byte>(frame.Payload));
}
