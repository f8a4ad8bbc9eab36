using Microsoft.Extensions.Logging;

namespace Platform.Workers.Hls;

internal static partial class HlsLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "stream {Stream}: HLS segment {Name} seq {Sequence}, {Duration:0.000} s")]
    public static partial void LogHlsSegment(this ILogger log, string stream, string name, long sequence, double duration);
}
