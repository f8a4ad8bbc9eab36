using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Hub;
using Platform.Workers.Processes;
using Platform.Workers.Rtmp;

namespace Platform.Workers.Forward;

/// <summary>A destination's state as the API shows it.</summary>
public static class ForwardStates
{
    public const string Connecting = "connecting";
    public const string Forwarding = "forwarding";
    public const string Reconnecting = "reconnecting";
    public const string Failed = "failed";
}

/// <summary>One destination's state, bytes sent over every connection, and reconnects so far.</summary>
public sealed record ForwardStatus(string Destination, string State, string Reason, long BytesSent, int Reconnects)
{
    /// <summary>Frames the destination missed because it took them slower than the stream came (dropped to the next keyframe).</summary>
    public long Dropped { get; init; }
}

/// <summary>
/// Pushes one stream to one destination for as long as it runs: connects and publishes with
/// <see cref="RtmpPushClient"/>, then joins the stream's hub as a reader, so every connection starts with the
/// metadata, the sequence headers and the cached GOP. A connection that fails is dropped with its reader,
/// and after a backoff (doubled after each failure) a new one starts the same way. The reader's queue is
/// bounded: a destination slower than the stream drops to the next keyframe, and the hub never waits for it.
/// </summary>
public sealed class ForwardPump
{
    /// <summary>A batch is written in parts of about this size, so one connection never holds much more.</summary>
    private const int FlushBytes = 256 * 1024;
    private readonly StreamHub _hub;
    private readonly ForwardSettings _settings;
    private readonly ForwardDestination _destination;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly LogTail _events = new(8);
    private readonly Lock _gate = new();
    private string _state = ForwardStates.Connecting;
    private string _reason;
    private long _bytesDone;
    private int _reconnects;
    private RtmpPushClient? _client;
    private ReaderQueue? _queue;
    private long _droppedDone;

    public ForwardPump(StreamHub hub, ForwardSettings settings, ForwardDestination destination, ILogger log, TimeProvider? time = null)
    {
        _hub = hub;
        _settings = settings;
        _destination = destination;
        _log = log;
        _time = time ?? TimeProvider.System;
        _reason = $"connecting to {destination.Redacted}";
    }

    public StreamKey Stream => _settings.Stream;

    public ForwardDestination Destination => _destination;

    /// <summary>Bytes written to the destination over every connection so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesDone) + (Volatile.Read(ref _client)?.BytesSent ?? 0);

    /// <summary>Frames dropped for a slow destination over every connection so far.</summary>
    public long Dropped => Interlocked.Read(ref _droppedDone) + (Volatile.Read(ref _queue)?.DroppedFrames ?? 0);

    public ForwardStatus Status()
    {
        lock (_gate)
        {
            return new ForwardStatus(_destination.Redacted, _state, _reason, BytesSent, _reconnects) { Dropped = Dropped };
        }
    }

    /// <summary>What happened lately (connected, lost and why), oldest first.</summary>
    public IReadOnlyList<string> Events(int last) => _events.Lines(last);

    /// <summary>Forwards until <paramref name="cancellationToken"/> is cancelled; never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new ForwardBackoff(_settings.ReconnectMin, _settings.ReconnectMax);
        while (!cancellationToken.IsCancellationRequested)
        {
            long? forwardingSince = null;
            string why;
            RtmpPushClient? client = null;
            try
            {
                client = await RtmpPushClient.PublishAsync(_destination, _settings.ConnectTimeout, _settings.SendTimeout, cancellationToken);
                Volatile.Write(ref _client, client);
                forwardingSince = _time.GetTimestamp();
                Event($"publishing (connection {_reconnects + 1})");
                _log.LogInformation("stream {Stream}: forwarding to {Destination}", Stream, _destination.Redacted);
                Set(ForwardStates.Forwarding, $"forwarding to {_destination.Redacted}");
                await ForwardAsync(client, cancellationToken);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                why = Describe(ex);
            }
            finally
            {
                if (client is not null)
                {
                    Volatile.Write(ref _client, null);
                    Interlocked.Add(ref _bytesDone, client.BytesSent);
                    await client.DisposeAsync();
                }
            }

            var delay = forwardingSince is { } since ? backoff.AfterConnection(_time.GetElapsedTime(since)) : backoff.Next();
            int reconnects;
            lock (_gate)
            {
                reconnects = ++_reconnects;
            }

            var seconds = delay.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            Event($"{(forwardingSince is null ? "could not publish" : "lost")}: {why}; reconnecting in {seconds} s");
            _log.LogWarning("stream {Stream}: forward to {Destination} {What}: {Why}; reconnecting in {Delay} s (reconnect {Reconnects})",
                Stream, _destination.Redacted, forwardingSince is null ? "could not publish" : "lost", why, seconds, reconnects);
            Set(ForwardStates.Reconnecting, $"reconnecting in {seconds} s: {why}");
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Set(ForwardStates.Reconnecting, $"reconnecting to {_destination.Redacted} after: {why}");
        }
    }

    /// <summary>Reads the hub into the connection until it fails (throws) or the forward is stopped.</summary>
    private async Task ForwardAsync(RtmpPushClient client, CancellationToken cancellationToken)
    {
        // The hub's reader bounds: a destination that falls behind drops to the next keyframe, one that takes
        // nothing for the hub's MaxLag is cut (and connected again); the send timeout ends a stalled write first.
        var queue = new ReaderQueue("forward:" + Stream, _hub.Options.Reader);
        var sequencer = new ForwardSequencer();
        var batch = new List<MediaFrame>(128);
        var output = new ArrayBufferWriter<byte>(FlushBytes);
        using var stop = cancellationToken.Register(() => queue.Close("forward stopped"));
        _ = client.Closed.ContinueWith(_ => queue.Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _hub.AddReader(queue);
        Volatile.Write(ref _queue, queue);
        try
        {
            while (await queue.WaitAsync())
            {
                // Woken on the publisher's thread: the chunking and the socket write go on the pool.
                await Task.Yield();
                if (client.Closed.IsCompleted)
                {
                    await client.Closed;
                    throw new EndOfStreamException("the destination closed the connection");
                }

                while (queue.TakeBatch(batch) > 0)
                {
                    try
                    {
                        foreach (var frame in batch)
                        {
                            Append(client, sequencer, output, frame);
                            if (output.WrittenCount >= FlushBytes)
                            {
                                await client.SendAsync(output.WrittenMemory, cancellationToken);
                                output.ResetWrittenCount();
                            }
                        }

                        if (output.WrittenCount > 0)
                        {
                            await client.SendAsync(output.WrittenMemory, cancellationToken);
                            output.ResetWrittenCount();
                        }
                    }
                    finally
                    {
                        foreach (var frame in batch)
                        {
                            frame.Release();
                        }

                        batch.Clear();
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new IOException($"the stream's reader was closed: {queue.CloseReason}");
        }
        finally
        {
            _hub.RemoveReader(queue);
            Volatile.Write(ref _queue, null);
            Interlocked.Add(ref _droppedDone, queue.DroppedFrames);
            foreach (var frame in batch)
            {
                frame.Release();
            }
        }
    }

    private static void Append(RtmpPushClient client, ForwardSequencer sequencer, ArrayBufferWriter<byte> output, MediaFrame frame)
    {
        if (!sequencer.TryMap(frame.Kind, frame.Timestamp, frame.IsKeyFrame, frame.IsSequenceHeader, out var timestamp))
        {
            return;
        }

        if (frame.Kind == FrameKind.Data)
        {
            client.AppendMetadata(output, timestamp, frame.Payload);
        }
        else
        {
            client.AppendMessage(output, frame.Kind, timestamp, frame.Payload);
        }
    }

    private void Set(string state, string reason)
    {
        lock (_gate)
        {
            _state = state;
            _reason = reason;
        }
    }

    private void Event(string text) => _events.Add($"{_time.GetUtcNow():HH:mm:ss} {text}");

    /// <summary>Why a connection failed, in a few words.</summary>
    public static string Describe(Exception ex)
    {
        var socket = ex as SocketException ?? ex.InnerException as SocketException;
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.ConnectionReset => "connection reset",
                SocketError.ConnectionAborted => "connection aborted",
                SocketError.TimedOut => "timed out",
                SocketError.HostNotFound or SocketError.NoData => "host not found",
                SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
                _ => socket.Message,
            };
        }

        return ex switch
        {
            RtmpRefusedException refused => "refused: " + refused.Message,
            Platform.Media.MediaFormatException format => "protocol error: " + format.Message,
            _ => ex.Message,
        };
    }
}
