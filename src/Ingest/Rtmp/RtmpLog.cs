using Microsoft.Extensions.Logging;
using Platform.Media.Rtmp;

namespace Platform.Ingest.Rtmp;

internal static partial class RtmpLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "client {ClientId} from {Ip}: {Kind} handshake done")]
    public static partial void LogHandshake(this ILogger log, string clientId, string ip, HandshakeKind kind);
}
