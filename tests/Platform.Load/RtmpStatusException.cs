namespace Platform.Load;

/// <summary>The server answered a command with an error (<c>_error</c>, or an error <c>onStatus</c>).</summary>
public sealed class RtmpStatusException : Exception
{
    public RtmpStatusException(string code, string? description)
        : base(string.IsNullOrEmpty(description) ? code : $"{code}: {description}")
    {
        Code = code;
        Description = description;
    }

    /// <summary>The status code, e.g. <c>NetStream.Play.StreamNotFound</c>.</summary>
    public string Code { get; }

    public string? Description { get; }
}
