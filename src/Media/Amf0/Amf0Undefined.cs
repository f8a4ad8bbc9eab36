namespace Platform.Media.Amf0;

/// <summary>The AMF0 <c>undefined</c> value (marker 0x06); distinct from <c>null</c> (marker 0x05).</summary>
public sealed class Amf0Undefined
{
    private Amf0Undefined() { }

    public static Amf0Undefined Instance { get; } = new();

    public override string ToString() => "undefined";
}
