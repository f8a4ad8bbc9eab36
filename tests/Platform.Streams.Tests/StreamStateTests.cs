using Platform.Streams.Clients;
using Platform.Streams.Entity;

namespace Platform.Streams.Tests;

public class StreamStateTests
{
    private static readonly StreamKey Key = new("v", "live", "s1");
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Akka.Actor.Address Node = new("akka.tcp", "platform", "127.0.0.1", 4053);

    internal static ClientInfo Client(string id, ClientKind kind = ClientKind.RtmpPublisher) =>
        new(id, kind, "127.0.0.1", Key, "rtmp://127.0.0.1/live", "", "", "", T0);

    [Fact]
    public void First_publisher_is_accepted_and_a_second_is_refused()
    {
        var state = new StreamState(Key, T0);
        Assert.Equal(PublishDecision.Accept, state.DecidePublish(Client("a")));
        state.Published(Client("a"), Node, T0);

        Assert.Equal(PublishDecision.RejectBusy, state.DecidePublish(Client("b")));
        Assert.Equal("a", state.Publisher!.Id);
    }

    [Fact]
    public void A_publisher_whose_node_is_unreachable_is_taken_over_and_the_endpoint_follows()
    {
        var state = new StreamState(Key, T0);
        state.Published(Client("a"), Node, T0, "10.0.0.1:4054");
        Assert.Equal("10.0.0.1:4054", state.PublisherEndpoint);
        Assert.Equal(PublishDecision.RejectBusy, state.DecidePublish(Client("b"), publisherNodeReachable: true));
        Assert.Equal(PublishDecision.TakeOver, state.DecidePublish(Client("b"), publisherNodeReachable: false));
        Assert.Equal(PublishDecision.Accept, state.DecidePublish(Client("a"), publisherNodeReachable: false));
        Assert.True(state.Unpublished("a", T0));
        Assert.Null(state.PublisherEndpoint);
    }

    [Fact]
    public void After_unpublish_another_publisher_is_accepted()
    {
        var state = new StreamState(Key, T0);
        state.Published(Client("a"), Node, T0);
        Assert.False(state.Unpublished("b", T0));
        Assert.True(state.Unpublished("a", T0));
        Assert.Equal(PublishDecision.Accept, state.DecidePublish(Client("b")));
    }

    [Fact]
    public void Passivates_only_after_idle_timeout_with_nobody_left()
    {
        var idle = TimeSpan.FromSeconds(30);
        var state = new StreamState(Key, T0);
        Assert.False(state.ShouldPassivate(T0.AddSeconds(29), idle));
        Assert.True(state.ShouldPassivate(T0.AddSeconds(30), idle));

        state.ReaderJoined(Client("p", ClientKind.RtmpPlayer), T0.AddSeconds(10));
        Assert.False(state.ShouldPassivate(T0.AddSeconds(100), idle));

        state.ReaderLeft("p", T0.AddSeconds(100));
        Assert.False(state.ShouldPassivate(T0.AddSeconds(120), idle));
        Assert.True(state.ShouldPassivate(T0.AddSeconds(130), idle));

        state.Published(Client("a"), Node, T0.AddSeconds(200));
        Assert.False(state.ShouldPassivate(T0.AddSeconds(1000), idle));
    }

    [Fact]
    public void Reports_from_a_former_publisher_are_ignored()
    {
        var state = new StreamState(Key, T0);
        state.Published(Client("a"), Node, T0);
        state.Reported("old", StreamState.Empty with { Frames = 99 });
        Assert.Equal(0, state.Counters.Frames);
        state.Reported("a", StreamState.Empty with { Frames = 5 });
        Assert.Equal(5, state.Counters.Frames);
    }

    [Theory]
    [InlineData("live", true)]
    [InlineData("s1_720p-2.test", true)]
    [InlineData("", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("x..y", false)]
    [InlineData("bad\u0001", false)]
    public void Names_that_could_escape_a_folder_are_refused(string name, bool valid) =>
        Assert.Equal(valid, StreamKey.IsValidName(name));

    [Fact]
    public void Entity_id_round_trips()
    {
        Assert.Equal(Key, StreamKey.Parse(Key.EntityId));
        Assert.Throws<FormatException>(() => StreamKey.Parse("nope"));
    }
}
