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
    private const int CommandChunkStreamId = 3;
    private const int StatusChunkStreamId = 5;
    private bool _connected;
    private bool _connectAllowed;
    private bool _closeAfterReply;
    private string _app = string.Empty;
    private string _tcUrl = string.Empty;
    private double _objectEncoding;

    private Task HandleCommandAsync(RtmpCommand command, uint streamId)
    {
        if (!_connected && command.Name != "connect")
        {
            throw new Media.MediaFormatException($"command '{command.Name}' before connect");
        }

        return command.Name switch
        {
            "connect" => ConnectAsync(command),
            "createStream" => ResultAsync(command, null, (double)MediaFrame.PlayMessageStreamId),
            "releaseStream" or "FCPublish" or "getStreamLength" or "checkBandwidth" or "_checkbw" =>
                ResultAsync(command, null, command.Name == "getStreamLength" ? 0.0 : Amf0Undefined.Instance),
            "publish" => PublishAsync(command, streamId),
            "play" => PlayAsync(command, streamId),
            "FCUnpublish" => UnpublishAsync(command, streamId),
            "deleteStream" or "closeStream" => CloseStreamAsync(streamId),
            "pause" => PauseAsync(command, streamId),
            _ => Task.CompletedTask,
        };
    }

    private async Task ConnectAsync(RtmpCommand command)
    {
        if (_connected)
        {
            throw new Media.MediaFormatException("second connect on one connection");
        }

        var properties = command.CommandObject as Amf0Object;
        _app = properties?["app"] as string ?? string.Empty;
        _tcUrl = properties?["tcUrl"] as string ?? string.Empty;
        _objectEncoding = properties?["objectEncoding"] is double encoding ? encoding : 0;
        Info = Info with
        {
            TcUrl = _tcUrl,
            PageUrl = properties?["pageUrl"] as string ?? string.Empty,
            SwfUrl = properties?["swfUrl"] as string ?? string.Empty,
        };
        var appKey = RtmpUrl.Resolve(_app, "_", _tcUrl, out var connectParam, out _);
        if (appKey is { } known)
        {
            Info = Info with { Stream = known with { Stream = string.Empty }, Param = connectParam };
        }

        var decision = _control.Tickets.AdmitsConnect(connectParam)
            ? AccessDecision.Allow
            : await _control.Access.CheckAsync(AccessAction.Connect, Info, _closed.Token);
        if (!decision.Allowed)
        {
            _log.LogWarning("client {ClientId} from {Ip}: connect to app {App} refused, {Reason}", Info.Id, Info.Ip, _app, decision.Reason);
            using var refusal = new PooledBufferWriter(256);
            WriteCommand(refusal, CommandChunkStreamId, 0, new RtmpCommand("_error", command.TransactionId, null, [RtmpStatus.Error(RtmpStatus.ConnectRejected, decision.Reason)]));
            await SendControlAsync(refusal);
            _closeAfterReply = true;
            return;
        }

        _connected = true;
        _connectAllowed = true;

        using var writer = new PooledBufferWriter(256);
        RtmpControlMessages.WindowAcknowledgementSize(writer, _options.WindowAckSize);
        RtmpControlMessages.SetPeerBandwidth(writer, _options.WindowAckSize, 2);
        RtmpControlMessages.SetChunkSize(writer, MediaFrame.OutgoingChunkSize);
        var information = RtmpStatus.Status(RtmpStatus.ConnectSuccess, "Connection succeeded.");
        information.Add("objectEncoding", _objectEncoding);
        WriteCommand(writer, CommandChunkStreamId, 0, new RtmpCommand("_result", command.TransactionId, RtmpStatus.ServerProperties(), [information]));
        await SendControlAsync(writer);
        _log.LogInformation("client {ClientId} from {Ip}: connect app={App} tcUrl={TcUrl}", Info.Id, Info.Ip, _app, Streams.Security.LogText.Redacted(_tcUrl));
    }

    private Task ResultAsync(RtmpCommand command, object? commandObject, object? value)
    {
        if (command.TransactionId == 0)
        {
            return Task.CompletedTask;
        }

        using var writer = new PooledBufferWriter(64);
        WriteCommand(writer, CommandChunkStreamId, 0, new RtmpCommand("_result", command.TransactionId, commandObject, [value]));
        return SendControlAsync(writer);
    }

    /// <summary>Resolves the stream named by publish/play and checks access, or answers with an error status and closes.</summary>
    private async Task<bool> ResolveStreamAsync(RtmpCommand command, uint streamId, ClientKind kind, string errorCode)
    {
        var name = command.Arguments.Count > 0 ? command.Arguments[0] as string : null;
        var key = RtmpUrl.Resolve(_app, name ?? string.Empty, _tcUrl, out var param, out var error);
        if (key is null)
        {
            _log.LogWarning("client {ClientId} from {Ip}: {Error}, closing", Info.Id, Info.Ip, error);
            await StatusAsync(streamId, RtmpStatus.Error(errorCode, error!));
            _closeAfterReply = true;
            return false;
        }

        var action = kind == ClientKind.RtmpPublisher ? AccessAction.Publish : AccessAction.Play;
        Info = Info with { Stream = key.Value, Kind = kind, Param = param, Internal = _control.Tickets.Admit(param, key.Value, action) };
        var decision = await _control.Access.CheckAsync(action, Info, _closed.Token);
        if (!decision.Allowed)
        {
            await RefuseAsync(streamId, kind == ClientKind.RtmpPublisher ? RtmpStatus.PublishDenied : RtmpStatus.PlayFailed, decision.Reason);
            return false;
        }

        return true;
    }

    private async Task StatusAsync(uint streamId, Amf0Object information)
    {
        using var writer = new PooledBufferWriter(256);
        WriteCommand(writer, StatusChunkStreamId, streamId, new RtmpCommand("onStatus", 0, null, [information]));
        await SendControlAsync(writer);
    }

    private static void WriteCommand(PooledBufferWriter output, int chunkStreamId, uint streamId, RtmpCommand command)
    {
        using var payload = new PooledBufferWriter(256);
        command.WriteTo(payload);
        RtmpChunkWriter.WriteMessage(output, chunkStreamId, 0, RtmpMessageType.CommandAmf0, streamId,
            payload.WrittenSpan, MediaFrame.OutgoingChunkSize);
    }

    private Task CloseStreamAsync(uint streamId)
    {
        if (_publish is not null)
        {
            EndPublish();
            return Task.CompletedTask;
        }

        return _play is not null ? EndPlayAsync() : Task.CompletedTask;
    }
}
