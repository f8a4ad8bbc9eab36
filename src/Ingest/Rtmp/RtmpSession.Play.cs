using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Rtmp;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Hub;

namespace Platform.Ingest.Rtmp;

public sealed partial class RtmpSession
{
    private PlayLease? _play;
    private SocketSender? _sender;
    private Task? _playTask;
    private volatile bool _paused;
    private long _playDurationMs = -1;
    private volatile bool _playerLeft;

    private async Task PlayAsync(RtmpCommand command, uint streamId)
    {
        if (_publish is not null || _play is not null)
        {
            await RefuseAsync(streamId, RtmpStatus.PlayFailed, "this connection already publishes or plays a stream");
            return;
        }

        if (!await ResolveStreamAsync(command, streamId, ClientKind.RtmpPlayer, RtmpStatus.PlayStreamNotFound))
        {
            return;
        }

        // play(name, start = -2, duration = -1, reset = true): a live stream is played live whatever the start.
        var duration = command.Arguments.Count > 2 && command.Arguments[2] is double d ? d : -1;
        var reset = command.Arguments.Count <= 3 || command.Arguments[3] is not bool r || r;
        _playDurationMs = duration > 0 ? (long)(duration * 1000) : -1;

        var outcome = await _control.PlayAsync(_client!, _closed.Token);
        if (outcome.Lease is null)
        {
            await RefuseAsync(streamId, RtmpStatus.PlayStreamNotFound, outcome.Rejection!);
            return;
        }

        _play = outcome.Lease;
        using (var writer = new PooledBufferWriter(512))
        {
            RtmpControlMessages.StreamBegin(writer, streamId);
            var name = Info.Stream.Stream;
            if (reset)
            {
                WriteCommand(writer, StatusChunkStreamId, streamId, new RtmpCommand("onStatus", 0, null, [RtmpStatus.Status(RtmpStatus.PlayReset, $"Playing and resetting {name}.", clientId: Info.Id)]));
            }

            WriteCommand(writer, StatusChunkStreamId, streamId, new RtmpCommand("onStatus", 0, null, [RtmpStatus.Status(RtmpStatus.PlayStart, $"Started playing {name}.", clientId: Info.Id)]));
            WriteData(writer, streamId, ["|RtmpSampleAccess", true, true]);
            await SendControlAsync(writer);
        }

        _log.LogInformation("client {ClientId} from {Ip}: playing {Stream}{Live}", Info.Id, Info.Ip, Info.Stream, _play.Hub.IsPublishing ? string.Empty : " (waiting for a publisher)");
        _playTask = Task.Run(() => SendLoopAsync(_play, streamId));
    }

    private async Task PauseAsync(RtmpCommand command, uint streamId)
    {
        var pause = command.Arguments.Count > 0 && command.Arguments[0] is true;
        _paused = pause;
        await StatusAsync(streamId, RtmpStatus.Status(pause ? RtmpStatus.PauseNotify : RtmpStatus.UnpauseNotify, pause ? "Paused live." : "Unpaused live."));
    }

    /// <summary>Takes batches of shared frames and writes each batch with one gathered socket send.</summary>
    private async Task SendLoopAsync(PlayLease play, uint streamId)
    {
        var batch = new List<MediaFrame>(128);
        var segments = new List<ArraySegment<byte>>(128);
        long firstTimestamp = -1;
        var waitKeyFrame = false;
        var durationReached = false;
        try
        {
            while (await play.NextBatchAsync(batch))
            {
                long bytes = 0;
                foreach (var frame in batch)
                {
                    if (_paused)
                    {
                        waitKeyFrame = true;
                        continue;
                    }

                    if (waitKeyFrame && frame.Kind != FrameKind.Data && !frame.IsSequenceHeader)
                    {
                        if (frame.Kind != FrameKind.Video || !frame.IsKeyFrame)
                        {
                            continue;
                        }

                        waitKeyFrame = false;
                    }

                    if (frame.Kind != FrameKind.Data && !frame.IsSequenceHeader)
                    {
                        firstTimestamp = firstTimestamp < 0 ? frame.Timestamp : firstTimestamp;
                        if (_playDurationMs > 0 && frame.Timestamp - firstTimestamp >= _playDurationMs)
                        {
                            durationReached = true;
                            break;
                        }
                    }

                    var chunks = frame.RtmpChunks;
                    segments.Add(new ArraySegment<byte>(chunks.Array, 0, chunks.Length));
                    bytes += chunks.Length;
                }

                if (segments.Count > 0)
                {
                    await SendSegmentsAsync(segments, bytes);
                    play.Hub.Stats.CountOut(bytes);
                    segments.Clear();
                }

                ReleaseAll(batch);
                if (durationReached)
                {
                    // The requested duration is played: stop sending, keep the connection.
                    play.Queue.Close("duration reached");
                    using (var writer = new PooledBufferWriter(64))
                    {
                        RtmpControlMessages.StreamEof(writer, streamId);
                        await SendControlAsync(writer);
                    }

                    await StatusAsync(streamId, RtmpStatus.Status(RtmpStatus.PlayStop, "Stopped playing: duration reached."));
                    return;
                }
            }

            if (play.NoPublisher)
            {
                // Nothing was published in time: say so before closing, as players expect.
                using (var writer = new PooledBufferWriter(64))
                {
                    RtmpControlMessages.StreamEof(writer, streamId);
                    await SendControlAsync(writer);
                }

                await StatusAsync(streamId, RtmpStatus.Status(RtmpStatus.PlayStreamNotFound, $"{play.EndReason}: {Info.Stream.Stream} is not published.", level: "error"));
            }

            if (!_playerLeft)
            {
                // The server ends this play (a slow reader, no publisher, the stream closed): a kick. A player
                // that stopped or went away on its own is not one.
                Kick(play.EndReason ?? "playback ended");
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or SessionTimeoutException)
        {
            Kick($"send failed: {ex.Message}");
        }
        finally
        {
            ReleaseAll(batch);
        }
    }

    private async Task SendSegmentsAsync(List<ArraySegment<byte>> segments, long bytes)
    {
        await _writeLock.WaitAsync(_closed.Token);
        Volatile.Write(ref _sendStartedMs, Environment.TickCount64);
        try
        {
            _sender ??= new SocketSender();
            await _sender.SendAsync(_socket, segments);
            Interlocked.Add(ref _bytesSent, bytes);
        }
        finally
        {
            Volatile.Write(ref _sendStartedMs, 0);
            _writeLock.Release();
        }
    }

    private static void ReleaseAll(List<MediaFrame> batch)
    {
        foreach (var frame in batch)
        {
            frame.Release();
        }

        batch.Clear();
    }

    private static void WriteData(PooledBufferWriter output, uint streamId, object?[] values)
    {
        using var payload = new PooledBufferWriter(128);
        foreach (var value in values)
        {
            Amf0Writer.WriteValue(payload, value);
        }

        RtmpChunkWriter.WriteMessage(output, StatusChunkStreamId, 0, RtmpMessageType.DataAmf0, streamId, payload.WrittenSpan, MediaFrame.OutgoingChunkSize);
    }

    private async Task EndPlayAsync()
    {
        var play = Interlocked.Exchange(ref _play, null);
        if (play is null)
        {
            return;
        }

        _playerLeft = true;
        play.Queue.Close("player left");
        if (_playTask is not null)
        {
            await _playTask;
        }

        play.Dispose();
        _control.Access.Notify(ClientEventKind.Stopped, Info);
    }
}
