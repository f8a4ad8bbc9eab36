namespace Platform.Media.Amf0;

/// <summary>
/// An AMF0 date (marker 0x0B): milliseconds since the Unix epoch (UTC) and a time-zone field that the
/// specification reserves (should be 0) but that some encoders fill with an offset in minutes.
/// </summary>
public readonly record struct Amf0Date(double MillisecondsSinceEpoch, short TimeZone)
{
    public static Amf0Date FromDateTimeOffset(DateTimeOffset value) =>
        new(value.ToUnixTimeMilliseconds(), 0);

    /// <summary>The instant in UTC; throws <see cref="ArgumentOutOfRangeException"/> if not representable.</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.FromUnixTimeMilliseconds(checked((long)MillisecondsSinceEpoch));
}
