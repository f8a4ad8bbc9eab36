namespace Platform.Workers.Rtmp;

/// <summary>The server answered a command with an error (<c>_error</c>, or an error <c>onStatus</c>).</summary>
public sealed class RtmpRefusedException(string code, string? description)
    : Exception(string.IsNullOrEmpty(description) ? code : $"{code}: {description}")
{
    public string Code { get; } = code;
}
