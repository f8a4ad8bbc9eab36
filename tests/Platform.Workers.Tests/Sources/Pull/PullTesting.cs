using Platform.Sources.Pull;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Sources.Pull;

/// <summary>What the pull tests share: options and a bounded run.</summary>
public static class PullTesting
{
    public static readonly PullOptions Quick = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        StallTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>For the tests of silences.</summary>
    public static readonly PullOptions Impatient = Quick with { StallTimeout = TimeSpan.FromSeconds(1) };

    /// <summary>Pulls <paramref name="url"/> into <paramref name="received"/>; a pull that never ends fails the test after 30 s.</summary>
    public static Task RunAsync(Uri url, ReceivedFrames received, PullOptions? options = null, CancellationToken cancellationToken = default) =>
        MediaPuller.RunAsync(url, received.Callback, options ?? Quick, received.Stats, cancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

    /// <summary>Pulls <paramref name="url"/> (a source that sends without end) until a few frames came, cancels, and expects the pull to end so.</summary>
    public static async Task AssertCancellationEndsAsync(Uri url)
    {
        var received = new ReceivedFrames();
        using var cancel = new CancellationTokenSource();
        var run = RunAsync(url, received, cancellationToken: cancel.Token);
        await Poll.UntilAsync(() => received.Frames.Count >= 3, "frames");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
