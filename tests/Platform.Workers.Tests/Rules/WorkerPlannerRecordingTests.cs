using Platform.Streams;
using Platform.Workers.Dvr;
using Platform.Workers.Rules;

namespace Platform.Workers.Tests.Rules;

public sealed class WorkerPlannerRecordingTests
{
    private const string Storage = "/srv/platform";
    private static readonly DateTimeOffset Time = new(2024, 3, 5, 7, 8, 9, 42, TimeSpan.Zero);

    private static readonly AppRule[] Rules =
    [
        new() { App = "off", Enabled = false },
        new() { App = "cams", Stream = "lobby", Dvr = new DvrRule { Enabled = true, Path = "cctv", File = "[2006][01][02]-[15][04][05].flv" } },
        new() { App = "rec*", Dvr = new DvrRule { Enabled = true } },
        new() { Vhost = "tv", App = "*", Dvr = new DvrRule { Path = "tv" } },
        new(),
    ];

    [Fact]
    public void A_recording_s_stream_is_read_back_from_its_name()
    {
        var planner = new WorkerPlanner(Rules, Storage);
        var rec = new StreamKey(StreamKey.DefaultVhost, "record", "cam.1");
        Assert.Equal(rec, planner.RecordingStream(DvrPathTemplate.Expand(new DvrRule().File, Storage + "/dvr", rec, Time)));

        // A template without [app] and [stream] takes them from the rule's plain names.
        Assert.Equal(new StreamKey(StreamKey.DefaultVhost, "cams", "lobby"), planner.RecordingStream(Storage + "/cctv/20240305-070809.flv"));

        // Recorded on demand under rules without DVR: the vhost, not in the template, is the rule's when it names one.
        Assert.Equal(new StreamKey(StreamKey.DefaultVhost, "news", "a"), planner.RecordingStream(Storage + "/dvr/news/a.20240305-070809-042.flv"));
        Assert.Equal(new StreamKey("tv", "news", "a"), planner.RecordingStream(Storage + "/tv/news/a.20240305-070809-042.flv"));
    }

    [Fact]
    public void A_name_no_enabled_rule_could_have_written_has_no_stream()
    {
        var planner = new WorkerPlanner(Rules, Storage);
        Assert.Null(planner.RecordingStream(Storage + "/dvr/off/a.20240305-070809-042.flv")); // its rule is disabled
        Assert.Null(planner.RecordingStream(Storage + "/dvr/news/a.flv")); // not the template
        Assert.Null(planner.RecordingStream(Storage + "/cctv/lobby.flv"));
        Assert.Equal([Storage + "/cctv", Storage + "/dvr", Storage + "/tv"], planner.DvrFolders());
    }
}
