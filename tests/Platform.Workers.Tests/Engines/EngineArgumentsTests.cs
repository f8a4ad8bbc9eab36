using Platform.Streams;
using Platform.Streams.Access;
using Platform.Workers.Engines;
using Platform.Workers.Rules;

namespace Platform.Workers.Tests.Engines;

public sealed class EngineArgumentsTests
{
    private const string ReadTicket = "read-ticket-A1";
    private const string PublishTicket = "publish-ticket-B2";
    private static readonly StreamKey Source = new(StreamKey.DefaultVhost, "live", "s1");
    private static readonly StreamKey Output = new(StreamKey.DefaultVhost, "live", "s1_480p");

    private static string Build(EngineRule rule, StreamKey? source = null, StreamKey? output = null)
    {
        var from = source ?? Source;
        var to = output ?? Output;
        var settings = new EngineSettings(rule.Name, from, to, [new LineageStep(from, rule.Name)], rule);
        return EngineArguments.Build(settings, "127.0.0.1", 1935, ReadTicket, PublishTicket);
    }

    private static EngineRule Rule(Action<EngineRule>? change = null)
    {
        var rule = new EngineRule { Name = "480p" };
        change?.Invoke(rule);
        return rule;
    }

    private static int IndexOf(string text, string part)
    {
        var index = text.IndexOf(part, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{part}' not in: {text}");
        return index;
    }

    [Fact]
    public void Progress_goes_to_stdout_and_stdin_is_not_read()
    {
        var args = Build(Rule());
        Assert.StartsWith("-hide_banner -nostdin -nostats -loglevel warning -progress pipe:1 ", args, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_and_output_name_their_app_with_their_own_ticket()
    {
        var args = Build(Rule());
        var input = IndexOf(args, "-i \"rtmp://127.0.0.1:1935/live/s1\"");
        var readApp = IndexOf(args, $"-rtmp_app \"live?{InternalTickets.Parameter}={ReadTicket}\" -rtmp_playpath \"s1\" -rtmp_live live");
        var publishApp = IndexOf(args, $"-rtmp_app \"live?{InternalTickets.Parameter}={PublishTicket}\" -rtmp_playpath \"s1_480p\" -rtmp_live live");
        var output = IndexOf(args, "\"rtmp://127.0.0.1:1935/live/s1_480p\"");

        // Input options come before -i, output options before the output URL.
        Assert.True(readApp < input, args);
        Assert.True(input < publishApp && publishApp < output, args);
        Assert.True(IndexOf(args, "-f flv") < output, args);
        Assert.EndsWith("\"rtmp://127.0.0.1:1935/live/s1_480p\"", args, StringComparison.Ordinal);
        Assert.DoesNotContain("vhost=", args, StringComparison.Ordinal);
        Assert.DoesNotContain(" -y", args, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vhost_other_than_the_default_is_in_the_app_s_query()
    {
        var source = new StreamKey("tv.example", "a/b", "cam");
        var args = Build(Rule(), source, source with { Stream = "cam_hd" });
        IndexOf(args, $"-rtmp_app \"a/b?vhost=tv.example&{InternalTickets.Parameter}={ReadTicket}\" -rtmp_playpath \"cam\"");
        IndexOf(args, $"-rtmp_app \"a/b?vhost=tv.example&{InternalTickets.Parameter}={PublishTicket}\" -rtmp_playpath \"cam_hd\"");
        IndexOf(args, "\"rtmp://127.0.0.1:1935/a/b/cam_hd\"");
    }

    [Fact]
    public void Size_becomes_a_scale_filter_before_the_rule_s_filters()
    {
        Assert.Contains("-vf \"scale=854:480\"", Build(Rule(r => r.Video = new EngineVideo { Width = 854, Height = 480 })), StringComparison.Ordinal);
        Assert.Contains("-vf \"scale=-2:360\"", Build(Rule(r => r.Video = new EngineVideo { Height = 360 })), StringComparison.Ordinal);
        Assert.Contains("-vf \"scale=640:-2\"", Build(Rule(r => r.Video = new EngineVideo { Width = 640 })), StringComparison.Ordinal);
        Assert.Contains("-vf \"scale=640:-2,hflip\"", Build(Rule(r => r.Video = new EngineVideo { Width = 640, Filters = " hflip " })), StringComparison.Ordinal);
        Assert.Contains("-vf \"hflip\"", Build(Rule(r => r.Video = new EngineVideo { Filters = "hflip" })), StringComparison.Ordinal);
        Assert.DoesNotContain("-vf", Build(Rule()), StringComparison.Ordinal);
    }

    [Fact]
    public void The_encoder_s_settings_are_passed()
    {
        var args = Build(Rule(r =>
        {
            r.Video = new EngineVideo { Codec = "libx264", Bitrate = 800, Fps = 25, Profile = "main", Preset = "ultrafast" };
            r.Audio = new EngineAudio { Codec = "aac", Bitrate = 64, SampleRate = 44100, Channels = 2 };
        }));
        IndexOf(args, "-c:v libx264");
        IndexOf(args, "-b:v 800k");
        IndexOf(args, "-r 25");
        IndexOf(args, "-profile:v main");
        IndexOf(args, "-preset ultrafast");
        IndexOf(args, "-c:a aac");
        IndexOf(args, "-b:a 64k");
        IndexOf(args, "-ar 44100");
        IndexOf(args, "-ac 2");
    }

    [Fact]
    public void Keyframes_are_forced_at_the_interval()
    {
        // The expression's exact form is ffmpeg's business; it must use the interval, in seconds, and turn scene cuts off.
        var twoSeconds = Build(Rule());
        Assert.Matches("-force_key_frames \"expr:[^\"]*[*/]2\\b[^\"]*\" -sc_threshold 0", twoSeconds);
        Assert.DoesNotMatch("-force_key_frames \"expr:[^\"]*[*/]0\\.5\\b", twoSeconds);

        var halfSecond = Build(Rule(r => r.Video.KeyframeInterval = TimeSpan.FromMilliseconds(500)));
        Assert.Matches("-force_key_frames \"expr:[^\"]*[*/]0\\.5\\b[^\"]*\" -sc_threshold 0", halfSecond);
        Assert.DoesNotMatch("-force_key_frames \"expr:[^\"]*[*/]2\\b", halfSecond);

        Assert.DoesNotContain("-force_key_frames", Build(Rule(r => r.Video.KeyframeInterval = TimeSpan.Zero)), StringComparison.Ordinal);
    }

    [Fact]
    public void Copy_passes_the_stream_through_without_encoder_options()
    {
        var args = Build(Rule(r =>
        {
            r.Video = new EngineVideo { Codec = "copy", Width = 854, Height = 480, Bitrate = 800 };
            r.Audio = new EngineAudio { Codec = "COPY" };
        }));
        IndexOf(args, "-c:v copy");
        IndexOf(args, "-c:a copy");
        Assert.DoesNotContain("scale=", args, StringComparison.Ordinal);
        Assert.DoesNotContain("-force_key_frames", args, StringComparison.Ordinal);
        Assert.DoesNotContain("-b:v", args, StringComparison.Ordinal);
        Assert.DoesNotContain("-b:a", args, StringComparison.Ordinal);
    }

    [Fact]
    public void None_drops_the_track()
    {
        var noVideo = Build(Rule(r => r.Video = new EngineVideo { Codec = "none", Width = 854 }));
        IndexOf(noVideo, "-vn");
        Assert.DoesNotContain("-c:v", noVideo, StringComparison.Ordinal);
        Assert.DoesNotContain("scale=", noVideo, StringComparison.Ordinal);
        IndexOf(noVideo, "-c:a aac");

        var noAudio = Build(Rule(r => r.Audio = new EngineAudio { Codec = " None " }));
        IndexOf(noAudio, "-an");
        Assert.DoesNotContain("-c:a", noAudio, StringComparison.Ordinal);
        IndexOf(noAudio, "-c:v libx264");
    }

    [Fact]
    public void Extra_arguments_come_after_the_codec_options_and_before_the_output()
    {
        var args = Build(Rule(r => r.Args = "  -tune zerolatency -g 50 "));
        var extra = IndexOf(args, "-tune zerolatency -g 50");
        Assert.True(IndexOf(args, "-c:a aac") < extra, args);
        Assert.True(extra < IndexOf(args, "\"rtmp://127.0.0.1:1935/live/s1_480p\""), args);
    }
}
