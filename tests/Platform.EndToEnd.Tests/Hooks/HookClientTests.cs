using Platform.Api.Hooks;

namespace Platform.EndToEnd.Tests.Hooks;

/// <summary>The one hook call against a real HTTP server on loopback: every way it can end.</summary>
public class HookClientTests
{
    [Fact]
    public async Task Each_answer_ends_in_its_outcome_with_status_and_time()
    {
        await using var hooks = await HookServer.StartAsync();
        hooks.On("/big", (_, _) => Task.FromResult((200, new string(' ', HookResponse.MaxBodyBytes + 10) + "0")));
        using var client = new HookClient();
        var timeout = TimeSpan.FromMilliseconds(500);

        async Task<HookCallResult> Call(string url, TimeSpan? within = null) =>
            await client.PostAsync(HookAction.OnPublish, new Uri(url), "{\"action\":\"on_publish\"}", within ?? TimeSpan.FromSeconds(10), CancellationToken.None);

        var ok = await Call(hooks.Url("/ok"));
        Assert.Equal((HookOutcome.Accepted, 200), (ok.Outcome, ok.Status));
        Assert.True(ok.Delivered);
        Assert.Equal(HookOutcome.Accepted, (await Call(hooks.Url("/ok-json"))).Outcome);

        var deny = await Call(hooks.Url("/deny"));
        Assert.Equal((HookOutcome.Rejected, 200), (deny.Outcome, deny.Status));
        Assert.True(deny.Delivered);
        Assert.Contains("'1'", deny.Detail, StringComparison.Ordinal);

        var error = await Call(hooks.Url("/500"));
        Assert.Equal((HookOutcome.Rejected, 500), (error.Outcome, error.Status));
        Assert.False(error.Delivered);
        Assert.Equal(HookOutcome.Rejected, (await Call(hooks.Url("/garbage"))).Outcome);
        Assert.NotEqual(HookOutcome.Accepted, (await Call(hooks.Url("/big"))).Outcome);

        var hang = await Call(hooks.Url("/hang"), timeout);
        Assert.Equal(HookOutcome.TimedOut, hang.Outcome);
        Assert.InRange(hang.Elapsed, timeout * 0.9, timeout * 6);

        var refused = await Call(HookServer.RefusedUrl());
        Assert.Equal(HookOutcome.Failed, refused.Outcome);
        Assert.Null(refused.Status);
        Assert.Contains("ConnectionRefused", refused.Detail, StringComparison.Ordinal);

        using var gone = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var canceled = await client.PostAsync(HookAction.OnPlay, new Uri(hooks.Url("/hang")), "{\"action\":\"on_play\"}", TimeSpan.FromSeconds(10), gone.Token);
        Assert.Equal(HookOutcome.Canceled, canceled.Outcome);

        // The hook server received the body as sent, as JSON.
        var received = hooks.CallsTo("/ok").Single();
        Assert.Equal("on_publish", received.Action);
    }
}
