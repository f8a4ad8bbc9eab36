namespace Platform.Media;

/// <summary>
/// Malformed or abusive input on a wire format: the connection that sent it is closed with this message
/// as the logged cause. Parsers throw it through <see cref="ThrowHelper"/> so hot paths stay small.
/// </summary>
public sealed class MediaFormatException : Exception
{
    public MediaFormatException(string message) : base(message) { }
    public MediaFormatException(string message, Exception inner) : base(message, inner) { }
    public MediaFormatException() { }
}

public static class ThrowHelper
{
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Malformed(string message) => throw new MediaFormatException(message);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static T Malformed<T>(string message) => throw new MediaFormatException(message);
}
