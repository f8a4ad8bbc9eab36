using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Telemetry;

namespace Platform.Streams.Tests.Telemetry;

public class InstrumentTests
{
    private sealed class Deny : IAccessCheck
    {
        public ValueTask<AccessDecision> CheckAsync(AccessRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AccessDecision.Deny("no"));
    }

    private sealed class FakeSession(ClientInfo info) : IClientSession
    {
        public ClientInfo Info { get; set; } = info;

        public long BytesSent => 1234;

        public long BytesReceived => 99;

        public void Kick(string reason)
        {
        }
    }

    private static ClientInfo Client(string id, ClientKind kind = ClientKind.RtmpConnecting, StreamKey stream = default) =>
        new(id, kind, "10.1.2.3", stream, string.Empty, string.Empty, string.Empty, string.Empty, DateTimeOffset.UtcNow);

    /// <summary>Collects the long measurements of one instrument of the node's meter.</summary>
    private static MeterListener Listen(string instrument, List<(long Value, Dictionary<string, object?> Tags)> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == PlatformTelemetry.Name && i.Name == instrument)
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (into)
            {
                into.Add((value, copy));
            }
        });
        listener.Start();
        return listener;
    }

    [Fact]
    public async Task A_denial_is_counted_with_its_action()
    {
        var seen = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen("platform.access.denials", seen);
        var pipeline = new AccessPipeline([new Deny()], []);

        var decision = await pipeline.CheckAsync(AccessAction.Publish, Client("d1"), CancellationToken.None);

        Assert.False(decision.Allowed);
        lock (seen)
        {
            Assert.Contains(seen, m => m.Value == 1 && Equals(m.Tags["action"], "publish"));
        }
    }

    [Fact]
    public async Task An_allowed_request_counts_no_denial()
    {
        var seen = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen("platform.access.denials", seen);
        var decision = await new AccessPipeline([], []).CheckAsync(AccessAction.Play, Client("a1"), CancellationToken.None);

        Assert.True(decision.Allowed);
        lock (seen)
        {
            Assert.DoesNotContain(seen, m => Equals(m.Tags["action"], "play") && m.Value > 0);
        }
    }

    [Fact]
    public void Hook_calls_are_counted_and_timed_in_seconds()
    {
        var calls = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen("platform.hook.calls", calls);
        var durations = new List<double>();
        using var histogram = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == PlatformTelemetry.Name && i.Name == "platform.hook.duration")
                {
                    Assert.Equal("s", i.Unit);
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        histogram.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "event" && Equals(tag.Value, "on_test_hook"))
                {
                    lock (durations)
                    {
                        durations.Add(value);
                    }
                }
            }
        });
        histogram.Start();

        PlatformTelemetry.RecordHookCall("on_test_hook", "accepted", TimeSpan.FromMilliseconds(250));

        lock (calls)
        {
            Assert.Contains(calls, m => Equals(m.Tags["event"], "on_test_hook") && Equals(m.Tags["outcome"], "accepted") && m.Value == 1);
        }

        lock (durations)
        {
            Assert.Equal([0.25], durations);
        }
    }

    [Fact]
    public void Every_observed_instrument_is_named_in_the_platform_namespace()
    {
        var names = PlatformTelemetry.ObservedInstruments.ToList();
        Assert.All(names, n => Assert.StartsWith("platform.", n, StringComparison.Ordinal));
        Assert.Contains("platform.players", names);
        Assert.Contains("platform.streams", names);
        Assert.Contains("platform.io", names);
        Assert.Contains("platform.bitrate", names);
    }

    [Fact]
    public void A_connection_span_carries_the_client_and_ends_with_its_stream_and_bytes()
    {
        var stopped = new List<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == PlatformTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);
        var session = new FakeSession(Client("span1"));

        using (SessionTelemetry.Begin("rtmp", session, NullLogger.Instance))
        {
            Assert.Equal("rtmp connection", Activity.Current?.DisplayName);
            session.Info = session.Info with { Kind = ClientKind.RtmpPublisher, Stream = new StreamKey("v", "live", "s") };
        }

        Activity span;
        lock (stopped)
        {
            span = Assert.Single(stopped, a => Equals(a.GetTagItem(TagNames.ClientId), "span1"));
        }

        Assert.Null(span.Parent);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal("10.1.2.3", span.GetTagItem(TagNames.ClientAddress));
        Assert.Equal("v/live/s", span.GetTagItem(TagNames.Stream));
        Assert.Equal("RtmpPublisher", span.GetTagItem(TagNames.ClientKind));
        Assert.Equal(1234L, span.GetTagItem(TagNames.BytesSent));
        Assert.Equal(99L, span.GetTagItem(TagNames.BytesReceived));
    }

    [Fact]
    public void A_detached_span_does_not_become_the_current_one()
    {
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == PlatformTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(activities);
        using var parent = PlatformTelemetry.ActivitySource.StartActivity("parent");
        Assert.NotNull(parent);

        var play = PlatformTelemetry.StartDetached("play", Client("c9", ClientKind.RtmpPlayer, new StreamKey("v", "live", "s")));
        Assert.NotNull(play);
        Assert.Same(parent, Activity.Current);
        Assert.Same(parent, play.Parent);
        Assert.Equal("v/live/s", play.GetTagItem(TagNames.Stream));

        PlatformTelemetry.StopDetached(play);
        Assert.Same(parent, Activity.Current);
        Assert.True(play.IsStopped);
    }

    [Fact]
    public void The_log_scope_reads_the_session_when_a_line_is_written()
    {
        var session = new FakeSession(Client("scope1"));
        var scope = new SessionLogScope(session);
        Assert.Equal([new("ClientId", "scope1"), new("Stream", string.Empty)], scope.ToList());

        session.Info = session.Info with { Stream = new StreamKey("v", "live", "s") };
        Assert.Equal("v/live/s", scope[1].Value);
        Assert.Equal("ClientId:scope1 Stream:v/live/s", scope.ToString());
    }
}
