using System.Collections.Concurrent;
using Platform.Streams.Access;
using Platform.Streams.Clients;

namespace Platform.Streams.Tests.Access;

public sealed class AccessPipelineTests
{
    private static readonly StreamKey Stream = new(StreamKey.DefaultVhost, "live", "s1");

    private static readonly ClientInfo Outside = new("c1", ClientKind.RtmpPublisher, "203.0.113.9", Stream, "rtmp://example/live", string.Empty, string.Empty, "token=x", DateTimeOffset.UnixEpoch);

    private static readonly ClientInfo Engine = Outside with
    {
        Id = "c2",
        Ip = "127.0.0.1",
        Stream = Stream with { Stream = "s1_480p" },
        Internal = new InternalOrigin("engine-480p", [new LineageStep(Stream, "480p")]),
    };

    private sealed class RecordingCheck(AccessDecision decision) : IAccessCheck
    {
        public ConcurrentQueue<AccessRequest> Calls { get; } = new();

        public ValueTask<AccessDecision> CheckAsync(AccessRequest request, CancellationToken cancellationToken)
        {
            Calls.Enqueue(request);
            return ValueTask.FromResult(decision);
        }
    }

    private sealed class RecordingSink : IClientEventSink
    {
        public ConcurrentQueue<(ClientEventKind Kind, ClientInfo Client)> Events { get; } = new();

        public void OnClientEvent(ClientEventKind kind, ClientInfo client) => Events.Enqueue((kind, client));
    }

    [Theory]
    [InlineData(AccessAction.Connect)]
    [InlineData(AccessAction.Publish)]
    [InlineData(AccessAction.Play)]
    public async Task The_platform_s_own_connection_is_allowed_without_checks(AccessAction action)
    {
        var deny = new RecordingCheck(AccessDecision.Deny("no outside client may"));
        var pipeline = new AccessPipeline([deny], []);

        var decision = await pipeline.CheckAsync(action, Engine, CancellationToken.None);
        Assert.True(decision.Allowed);
        Assert.Empty(deny.Calls);
    }

    [Fact]
    public async Task An_outside_client_still_goes_through_the_checks_in_order()
    {
        var allow = new RecordingCheck(AccessDecision.Allow);
        var deny = new RecordingCheck(AccessDecision.Deny("no outside client may"));
        var never = new RecordingCheck(AccessDecision.Allow);
        var pipeline = new AccessPipeline([allow, deny, never], []);

        var decision = await pipeline.CheckAsync(AccessAction.Publish, Outside, CancellationToken.None);
        Assert.False(decision.Allowed);
        Assert.Equal("no outside client may", decision.Reason);
        Assert.Equal(new AccessRequest(AccessAction.Publish, Outside), Assert.Single(allow.Calls));
        Assert.Single(deny.Calls);
        Assert.Empty(never.Calls);

        var open = new AccessPipeline([allow], []);
        Assert.True((await open.CheckAsync(AccessAction.Play, Outside, CancellationToken.None)).Allowed);
        Assert.Equal(2, allow.Calls.Count);
    }

    [Fact]
    public void The_platform_s_own_events_reach_no_sink()
    {
        var sink = new RecordingSink();
        var other = new RecordingSink();
        var pipeline = new AccessPipeline([], [sink, other]);

        pipeline.Notify(ClientEventKind.Unpublished, Engine);
        pipeline.Notify(ClientEventKind.Closed, Engine);
        Assert.Empty(sink.Events);
        Assert.Empty(other.Events);

        pipeline.Notify(ClientEventKind.Closed, Outside);
        Assert.Equal((ClientEventKind.Closed, Outside), Assert.Single(sink.Events));
        Assert.Equal((ClientEventKind.Closed, Outside), Assert.Single(other.Events));
    }
}
