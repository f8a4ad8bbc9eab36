using Platform.Streams;
using Platform.Streams.Access;
using Platform.Workers.Rules;

namespace Platform.Workers.Tests.Forward;

public sealed class WorkerPlannerForwardTests
{
    private const string V = StreamKey.DefaultVhost;

    private static readonly StreamKey Cam = new(V, "live", "cam");

    private static readonly AppRule[] Rules =
    [
        new() { App = "off", Enabled = false, Forward = new ForwardRule { Destinations = ["rtmp://b/fwd/[stream]"] } },
        new() { App = "live", Engine = "*", Forward = new ForwardRule { Destinations = ["rtmp://b/fwd/[stream]_[engine]"] } },
        new()
        {
            App = "live",
            Forward = new ForwardRule
            {
                Destinations = ["rtmp://b:1936/fwd/[stream]?token=t0p", "http://b/fwd/[stream]", "rtmp://c/[app]/[stream]"],
                Backend = "http://127.0.0.1:8085/api/v1/forward",
                ReconnectMin = TimeSpan.FromSeconds(2),
                ReconnectMax = TimeSpan.FromSeconds(20),
            },
        },
        new() { App = "quiet", Forward = new ForwardRule { Enabled = false, Destinations = ["rtmp://b/fwd/[stream]"], Backend = "http://b/f" } },
        new() { App = "badbackend", Forward = new ForwardRule { Backend = "ftp://b/f" } },
        new(),
    ];

    private static WorkerPlanner Planner() => new(Rules, "/srv/platform");

    [Fact]
    public void A_stream_gets_one_worker_per_destination_and_one_for_the_backend()
    {
        var forwards = Planner().Plan(Cam).Forwards;

        Assert.Equal(["forward-0", "forward-1", "forward-2", "forward-backend"], forwards.Select(f => f.WorkerName));
        var first = forwards[0].Settings;
        Assert.NotNull(first);
        Assert.Equal("rtmp://b:1936/fwd/cam?token=t0p", first.Destination!.Url);
        Assert.Equal(Cam, first.Stream);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20)), (first.ReconnectMin, first.ReconnectMax));
        Assert.Equal("forward by Apps:2:Forward:Destinations:0 to rtmp://b:1936/fwd/cam?token=***", forwards[0].Reason);
        Assert.Equal("rtmp://c:1935/live/cam", forwards[2].Settings!.Destination!.Url);

        var backend = forwards[3].Settings;
        Assert.NotNull(backend);
        Assert.Null(backend.Destination);
        Assert.Equal(new Uri("http://127.0.0.1:8085/api/v1/forward"), backend.Backend);
    }

    [Fact]
    public void An_invalid_destination_is_refused_with_its_key_and_the_others_run()
    {
        var forwards = Planner().Plan(Cam).Forwards;

        Assert.Null(forwards[1].Settings);
        Assert.Equal("Apps:2:Forward:Destinations:1 'http://b/fwd/cam' is not an rtmp:// URL", forwards[1].Reason);
        Assert.NotNull(forwards[0].Settings);
        Assert.NotNull(forwards[2].Settings);
    }

    [Fact]
    public void A_rendition_takes_its_engine_into_the_destination()
    {
        var rendition = new StreamKey(V, "live", "cam_low");
        var forward = Assert.Single(Planner().Plan(rendition, [new LineageStep(Cam, "low")]).Forwards);

        Assert.Equal("rtmp://b:1935/fwd/cam_low_low", forward.Settings!.Destination!.Url);
    }

    [Fact]
    public void Forwarding_is_off_when_nothing_is_set_or_it_is_disabled()
    {
        Assert.Empty(Planner().Plan(new StreamKey(V, "other", "s")).Forwards);
        Assert.Empty(Planner().Plan(new StreamKey(V, "off", "s")).Forwards);

        var quiet = Planner().Plan(new StreamKey(V, "quiet", "s")).Forwards;
        Assert.Equal(["forward-0", "forward-backend"], quiet.Select(f => f.WorkerName));
        Assert.All(quiet, f => Assert.Null(f.Settings));
        Assert.All(quiet, f => Assert.Equal("forward disabled by Apps:3:Forward:Enabled", f.Reason));
    }

    [Fact]
    public void Enabled_defaults_to_whether_anything_is_set()
    {
        Assert.False(new ForwardRule().IsEnabled);
        Assert.True(new ForwardRule { Destinations = ["rtmp://b/a/s"] }.IsEnabled);
        Assert.True(new ForwardRule { Backend = "http://b/f" }.IsEnabled);
        Assert.False(new ForwardRule { Enabled = false, Backend = "http://b/f" }.IsEnabled);
        Assert.True(new ForwardRule { Enabled = true }.IsEnabled);
    }

    [Fact]
    public void A_backend_that_is_not_http_is_refused()
    {
        var forward = Assert.Single(Planner().Plan(new StreamKey(V, "badbackend", "s")).Forwards);

        Assert.Equal("forward-backend", forward.WorkerName);
        Assert.Null(forward.Settings);
        Assert.Equal("Apps:4:Forward:Backend 'ftp://b/f' is not an http:// or https:// URL", forward.Reason);
    }

    [Fact]
    public void Operators_start_a_forward_by_name_even_when_its_rule_has_forwarding_off()
    {
        var planner = Planner();
        var quiet = new StreamKey(V, "quiet", "s");

        Assert.NotNull(planner.PlanForwardOnDemand(quiet, null, "0").Settings);
        Assert.NotNull(planner.PlanForwardOnDemand(quiet, null, "backend").Settings);
        Assert.Equal("Apps:3:Forward has no destination 1 (0 to 0, or backend)", planner.PlanForwardOnDemand(quiet, null, "1").Reason);
        Assert.Contains("has no destination 00", planner.PlanForwardOnDemand(quiet, null, "00").Reason, StringComparison.Ordinal);
        Assert.Equal("Apps:5:Forward has no Backend", planner.PlanForwardOnDemand(new StreamKey(V, "other", "s"), null, "backend").Reason);
        Assert.Null(planner.PlanForwardOnDemand(Cam, null, "1").Settings);
        Assert.Equal("app disabled by Apps:0:Enabled", planner.PlanForwardOnDemand(new StreamKey(V, "off", "s"), null, "0").Reason);
    }
}
