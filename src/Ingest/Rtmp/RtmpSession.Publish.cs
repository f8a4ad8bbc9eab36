using Microsoft.Extensions.Logging;
using Platform.Media.Amf0;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;

namespace Platform.Ingest.Rtmp;

public sealed partial class RtmpSession
{
    private PublishLease? _publish;
    private bool _publishGotMedia;

    private async Task PublishAsync(RtmpCommand command, uint streamId)
    {
        if (_publish is not null || _play is not null)
        {
            await RefuseAsync(streamId, RtmpStatus.PublishBadName, "this connection already publishes or plays a stream");
            return;
        }

        if (!await ResolveStreamAsync(command, streamId, ClientKind.RtmpPublisher, RtmpStatus.PublishBadName))
        {
            return;
        }

        var outcome = await _control.PublishAsync(_client!, _closed.Token);
        if (outcome.Lease is null)
        {
            await RefuseAsync(streamId, outcome.Denied ? RtmpStatus.PublishDenied : RtmpStatus.PublishBadName, outcome.Rejection!);
            return;
        }

        _publish = outcome.Lease;
        _publishGotMedia = false;
        _log.LogInformation("client {ClientId} from {Ip}: publishing {Stream} ({Param}); {Workers}", Info.Id, Info.Ip, Info.Stream, Streams.Security.LogText.Redacted(Info.Param), outcome.Workers ?? "workers unknown");
        await StatusAsync(streamId, RtmpStatus.Status(RtmpStatus.PublishStart, $"Started publishing stream {Info.Stream.Stream}.", clientId: Info.Id));
    }

    private async Task UnpublishAsync(RtmpCommand command, uint streamId)
    {
        await ResultAsync(command, null, Amf0Undefined.Instance);
        if (_publish is not null)
        {
            EndPublish();
            await StatusAsync(streamId == 0 ? 1 : streamId, RtmpStatus.Status(RtmpStatus.UnpublishSuccess, $"Stopped publishing stream {Info.Stream.Stream}."));
        }
    }

    private void EndPublish()
    {
        var lease = Interlocked.Exchange(ref _publish, null);
        if (lease is not null)
        {
            lease.Dispose();
            _control.Access.Notify(ClientEventKind.Unpublished, Info);
        }
    }

    /// <summary>Answers with an error status, then closes the connection once the answer is out.</summary>
    private async Task RefuseAsync(uint streamId, string code, string reason)
    {
        _log.LogWarning("client {ClientId} from {Ip} ({Stream}): refused, {Reason}", Info.Id, Info.Ip, Info.Stream, reason);
        await StatusAsync(streamId, RtmpStatus.Error(code, reason));
        _closeAfterReply = true;
    }
}
