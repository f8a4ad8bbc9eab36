using System.Buffers;
using System.Globalization;
using Platform.Media.Buffers;
using Platform.Media.Flv;
using Platform.Media.Tests.TestSupport;
using Platform.Media.Ts;

namespace Platform.Media.Tests.Ts;

/// <summary>
/// End to end with the real ffmpeg 5.1: an FLV made by ffmpeg is read with <see cref="FlvReader"/>, muxed
/// into a .ts, and the result must probe and decode without a single complaint. ffmpeg 5.1 cannot write
/// HEVC into FLV, so the HEVC case starts from a raw Annex B stream turned into tag bodies here.
/// </summary>
public sealed class TsFfmpegTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("platform-ts-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData("h264 aac", "h264,aac")]
    [InlineData("h264 mp3", "h264,mp3")]
    [InlineData("aac", "aac")]
    public async Task Ffmpeg_flv_muxed_to_ts_probes_and_decodes_cleanly(string streams, string expectedCodecs)
    {
        var flv = Path.Combine(_folder.FullName, "in.flv");
        var ts = Path.Combine(_folder.FullName, "out.ts");
        await Run("ffmpeg", [.. FfmpegArgs(streams), flv]);

        var written = Mux(await File.ReadAllBytesAsync(flv));
        await File.WriteAllBytesAsync(ts, written);
        TsTestReader.Packets(written); // 188-byte packets, sync bytes, continuity counters

        // One "index,codec,frames" line per stream (ffprobe lists them again under the program), then the duration.
        var probe = await Run(
            "ffprobe",
            ["-v", "error", "-count_frames", "-show_entries", "stream=index,codec_name,nb_read_frames:format=duration", "-of", "csv=p=0", ts]);
        var lines = probe.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var streamLines = lines.Where(l => l.Contains(',', StringComparison.Ordinal)).Distinct().ToArray();
        Assert.Equal(expectedCodecs, string.Join(',', streamLines.Select(l => l.Split(',')[1])));
        if (expectedCodecs.StartsWith("h264", StringComparison.Ordinal))
        {
            Assert.Equal("0,h264,100", streamLines[0]); // 4 s at 25 fps, every frame decoded
        }

        var duration = double.Parse(lines.Single(l => !l.Contains(',', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        Assert.InRange(duration, 3.8, 4.2);

        await Run("ffmpeg", ["-v", "error", "-i", ts, "-f", "null", "-"]);
    }

    [Fact]
    public async Task Counters_restarted_at_every_keyframe_are_read_by_ffmpeg_without_a_warning()
    {
        // Deterministic HLS restarts the counters at each segment; a reader that concatenates segments must
        // not take the jump for lost packets (ffmpeg, at warning level: "corrupt input packet").
        var flv = Path.Combine(_folder.FullName, "in.flv");
        var ts = Path.Combine(_folder.FullName, "out.ts");
        await Run("ffmpeg", [.. FfmpegArgs("h264 aac"), flv]);
        var written = Mux(await File.ReadAllBytesAsync(flv), resetAtKeyframes: true);
        Assert.Equal(4, TsTestReader.Packets(written).Count(p => p.Pid == TsMuxer.VideoPid && p.Discontinuity && p.Counter == 0));
        await File.WriteAllBytesAsync(ts, written);
        await Run("ffmpeg", ["-v", "warning", "-i", ts, "-f", "null", "-"]);
    }

    [Fact]
    public async Task Hevc_tag_bodies_muxed_to_ts_decode_cleanly()
    {
        var raw = Path.Combine(_folder.FullName, "in.hevc");
        var ts = Path.Combine(_folder.FullName, "out.ts");
        await Run("ffmpeg", [
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2", "-c:v", "libx265",
            "-x265-params", "aud=1:bframes=0:keyint=25:log-level=error", "-f", "hevc", raw]);
        var muxer = new TsMuxer();
        using var output = new PooledBufferWriter(1 << 16);
        var accessUnits = HevcAnnexB.AccessUnits(await File.ReadAllBytesAsync(raw));
        Assert.Equal(50, accessUnits.Count);
        Assert.True(muxer.SetVideoSequenceHeader(HevcAnnexB.SequenceHeader(accessUnits[0])));
        muxer.WriteTables(output);
        for (var i = 0; i < accessUnits.Count; i++)
        {
            Assert.True(muxer.WriteVideo(output, (uint)(i * 40), HevcAnnexB.Frame(accessUnits[i])));
        }

        await File.WriteAllBytesAsync(ts, output.WrittenSpan.ToArray());
        var probe = await Run("ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", ts]);
        Assert.Equal("hevc,320,240,50", probe.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);
        await Run("ffmpeg", ["-v", "error", "-i", ts, "-f", "null", "-"]);
    }

    private static string[] FfmpegArgs(string streams)
    {
        var video = streams.StartsWith("h264", StringComparison.Ordinal);
        List<string> args = ["-v", "error", "-y"];
        if (video)
        {
            args.AddRange(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"]);
        }

        args.AddRange(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "4"]);
        if (video)
        {
            // Default x264 preset: B-frames, so composition times are not zero.
            args.AddRange(["-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p"]);
        }

        args.AddRange(["-c:a", streams.EndsWith("mp3", StringComparison.Ordinal) ? "libmp3lame" : "aac", "-ac", "2", "-ar", "44100"]);
        return [.. args];
    }

    /// <summary>
    /// Tables before the first frame and again before every keyframe, as an HLS segmenter would (restarting
    /// the continuity counters there if <paramref name="resetAtKeyframes"/>, as deterministic HLS does).
    /// </summary>
    private static byte[] Mux(byte[] flv, bool resetAtKeyframes = false)
    {
        var muxer = new TsMuxer();
        using var output = new PooledBufferWriter(1 << 16);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(flv));
        Assert.True(FlvReader.TryReadFileHeader(ref reader, out _));
        var tablesWritten = false;
        var frames = 0;
        while (FlvReader.TryReadTag(ref reader, 1 << 24, out var tag))
        {
            var body = tag.Data.ToArray();
            if (tag.Type == FlvTagType.Video)
            {
                if (muxer.SetVideoSequenceHeader(body))
                {
                    continue;
                }

                if (body[1] == 2)
                {
                    Assert.False(muxer.WriteVideo(output, tag.Timestamp, body)); // AVC end of sequence
                    continue;
                }

                if (!tablesWritten || (body[0] >> 4) == 1)
                {
                    if (resetAtKeyframes)
                    {
                        muxer.ResetContinuityCounters();
                    }

                    muxer.WriteTables(output);
                    tablesWritten = true;
                }

                Assert.True(muxer.WriteVideo(output, tag.Timestamp, body));
                frames++;
            }
            else if (tag.Type == FlvTagType.Audio)
            {
                if ((body[0] >> 4) == 10 && body[1] == 0)
                {
                    Assert.True(muxer.SetAudioSequenceHeader(body));
                    continue;
                }

                if (!tablesWritten && muxer.HasAudio)
                {
                    muxer.WriteTables(output);
                    tablesWritten = true;
                }

                Assert.True(muxer.WriteAudio(output, tag.Timestamp, body));
                frames++;
            }
        }

        Assert.True(reader.End);
        Assert.True(frames > 100);
        return output.WrittenSpan.ToArray();
    }

    private static async Task<string> Run(string tool, string[] args)
    {
        var (exit, stdout, stderr) = await ExternalTool.RunAsync(tool, args, Timeout);
        Assert.True(exit == 0 && stderr.Length == 0, $"{tool} {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }
}
