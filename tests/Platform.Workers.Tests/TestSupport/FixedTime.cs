namespace Platform.Workers.Tests.TestSupport;

/// <summary>A clock that says what it is told.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
