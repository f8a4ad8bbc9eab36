namespace Platform.Streams.Telemetry;

/// <summary>
/// Sorts the free-text reasons a session is closed for into a few stable values, so the kick counter has
/// a bounded set of <c>reason</c> tags whatever the wording of a message.
/// </summary>
public static class KickReasons
{
    public const string Operator = "operator";
    public const string Shutdown = "shutdown";
    public const string SlowReader = "slow_reader";
    public const string SendTimeout = "send_timeout";
    public const string SendFailed = "send_failed";
    public const string NoPublisher = "no_publisher";
    public const string StreamClosed = "stream_closed";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Operator, Shutdown, SlowReader, SendTimeout, SendFailed, NoPublisher, StreamClosed, Other];

    private static readonly (string Marker, string Reason)[] Markers =
    [
        ("operator", Operator),
        ("server stopping", Shutdown),
        ("reader took nothing", SlowReader),
        ("send took over", SendTimeout),
        ("send failed", SendFailed),
        ("no publisher", NoPublisher),
        ("stream closed", StreamClosed),
        ("stream stopped", StreamClosed),
    ];

    public static string Classify(string? reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            return Other;
        }

        foreach (var (marker, value) in Markers)
        {
            if (reason.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return Other;
    }
}
