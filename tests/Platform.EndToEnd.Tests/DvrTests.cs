using System.Globalization;

namespace Platform.EndToEnd.Tests;

/// <summary>DVR recording as a stream worker, checked with the real ffprobe.</summary>
[Collection("e2e")]
public class DvrTests
{
    private static readonly Dictionary<string, string?> Rules = new()
    {
        ["Apps:0:App"] = "rec",
        ["Apps:0:Hls:Enabled"] = "false",
        ["Apps:0:Dvr:Enabled"] = "true",
        ["Apps:0:Dvr:Plan"] = "Session",
        ["Apps:1:App"] = "seg",
        ["Apps:1:Hls:Enabled"] = "false",
        ["Apps:1:Dvr:Enabled"] = "true",
        ["Apps:1:Dvr:Plan"] = "Segment",
        ["Apps:1:Dvr:SegmentDuration"] = "00:00:02",
    };

    private static Task<double> DurationAsync(string file) => Probe.DurationAsync(file);

    [Fact]
    public async Task Session_plan_records_one_file_per_publish_with_the_right_duration()
    {
        await using var server = await TestServer.StartAsync(Rules);
        await using (var publisher = Ffmpeg.Publish(server.Rtmp("rec/cam1"), seconds: 5))
        {
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(40));
        }

        var folder = Path.Combine(server.StorageRoot, "dvr", "rec");
        string[] files = [];
        await Eventually.TrueAsync(() =>
        {
            files = Directory.Exists(folder) ? Directory.GetFiles(folder, "cam1.*.flv") : [];
            return files.Length == 1 && Directory.GetFiles(folder, "*.tmp").Length == 0;
        }, TimeSpan.FromSeconds(60), "one finalized recording");

        var duration = await DurationAsync(files[0]);
        Assert.InRange(duration, 4.0, 5.5);
        var (exit, errors, frames) = await Probe.DecodeAsync(files[0], 10);
        Assert.True(exit == 0 && errors.Length == 0, errors);
        Assert.Equal(125, frames); // every frame of a 5 s, 25 fps publish, the last one included
    }

    [Fact]
    public async Task Segment_plan_cuts_a_new_file_on_a_keyframe_every_segment_duration()
    {
        await using var server = await TestServer.StartAsync(Rules);
        await using (var publisher = Ffmpeg.Publish(server.Rtmp("seg/cam2"), seconds: 7))
        {
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(40));
        }

        var folder = Path.Combine(server.StorageRoot, "dvr", "seg");
        string[] files = [];
        await Eventually.TrueAsync(() =>
        {
            files = Directory.Exists(folder) ? Directory.GetFiles(folder, "cam2.*.flv") : [];
            return files.Length >= 3 && Directory.GetFiles(folder, "*.tmp").Length == 0;
        }, TimeSpan.FromSeconds(60), $"three or more finalized segments in {folder}: {string.Join(", ", Directory.Exists(folder) ? Directory.GetFiles(folder) : [])}");

        var total = 0.0;
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var duration = await DurationAsync(file);
            Assert.InRange(duration, 0.5, 3.1);
            total += duration;
        }

        Assert.InRange(total, 6.0, 7.6);
    }

    [Fact]
    public async Task Recordings_are_listed_by_the_api_and_the_catalog_survives_a_restart()
    {
        string root;
        using var http = new HttpClient();
        await using (var server = await TestServer.StartAsync(Rules))
        {
            root = server.StorageRoot;
            server.KeepStorage();
            await using (var publisher = Ffmpeg.Publish(server.Rtmp("rec/cat"), seconds: 3))
            {
                await publisher.WaitForExitAsync(TimeSpan.FromSeconds(40));
            }

            await Eventually.TrueAsync(async () => (await ListAsync(http, server, "?app=rec&stream=cat")).GetArrayLength() == 1,
                TimeSpan.FromSeconds(30), "recording in the catalog");
            Assert.Equal(0, (await ListAsync(http, server, "?stream=other")).GetArrayLength());
        }

        await using var again = await TestServer.StartAsync(Rules, root);
        var dvrs = await ListAsync(http, again, "?app=rec");
        var entry = Assert.Single(dvrs.EnumerateArray());
        Assert.Equal("cat", entry.GetProperty("stream").GetString());
        Assert.True(File.Exists(entry.GetProperty("file").GetString()));
        Assert.InRange(entry.GetProperty("duration").GetDouble(), 2.0, 3.5);
        Assert.Equal(new FileInfo(entry.GetProperty("file").GetString()!).Length, entry.GetProperty("size").GetInt64());
    }

    private static async Task<System.Text.Json.JsonElement> ListAsync(HttpClient http, TestServer server, string query)
    {
        var json = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, server.Api("/api/v1/dvrs" + query));
        return json.GetProperty("dvrs");
    }

    [Fact]
    public async Task An_operator_starts_and_stops_a_recording_through_the_api()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Apps:0:Hls:Enabled"] = "false" });
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/ondemand"));
        using var http = new HttpClient();
        string id = string.Empty;
        await Eventually.TrueAsync(async () =>
        {
            var json = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, server.Api("/api/v1/streams"));
            var streams = json.GetProperty("streams");
            if (streams.GetArrayLength() == 0 || !streams[0].GetProperty("publish").GetProperty("active").GetBoolean())
            {
                return false;
            }

            id = streams[0].GetProperty("id").GetString()!;
            return true;
        }, TimeSpan.FromSeconds(30), "stream published");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.PostAsync(server.Api("/api/v1/streams/vid-nope/dvr"), null)).StatusCode);
        var started = await http.PostAsync(server.Api($"/api/v1/streams/{id}/dvr"), null);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await http.PostAsync(server.Api($"/api/v1/streams/{id}/dvr"), null)).StatusCode);

        // The stream's worker list agrees with itself: running, and why.
        var stream = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, server.Api($"/api/v1/streams/{id}"));
        var dvr = stream.GetProperty("stream").GetProperty("workers").EnumerateArray().Single(w => w.GetProperty("name").GetString() == "dvr");
        Assert.True(dvr.GetProperty("running").GetBoolean());
        Assert.Equal("started by operator", dvr.GetProperty("reason").GetString());

        var folder = Path.Combine(server.StorageRoot, "dvr", "live");
        await Eventually.TrueAsync(() => Directory.Exists(folder) && Directory.GetFiles(folder, "*.tmp").Length == 1 && new FileInfo(Directory.GetFiles(folder, "*.tmp")[0]).Length > 100_000,
            TimeSpan.FromSeconds(30), "recording in progress");
        var stopped = await http.DeleteAsync(server.Api($"/api/v1/streams/{id}/dvr"));
        Assert.True(stopped.IsSuccessStatusCode, await stopped.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await http.DeleteAsync(server.Api($"/api/v1/streams/{id}/dvr"))).StatusCode);

        await Eventually.TrueAsync(async () => (await ListAsync(http, server, "?stream=ondemand")).GetArrayLength() == 1, TimeSpan.FromSeconds(30), "recording cataloged");
        var file = Assert.Single(Directory.GetFiles(folder, "ondemand.*.flv"));
        Assert.True(await DurationAsync(file) > 0.5);
        Assert.False(publisher.HasExited);
    }

    [Fact]
    public async Task A_recording_left_by_a_killed_process_is_finalized_and_cataloged_at_the_next_start()
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        var folder = Path.Combine(root, "dvr", "rec");
        var tmp = string.Empty;
        double recorded;
        try
        {
            await using (var node = await ServerProcess.StartAsync(Rules, root))
            await using (var publisher = Ffmpeg.Publish(node.Rtmp("rec/crash"), size: "320x180"))
            {
                await Eventually.TrueAsync(() =>
                {
                    tmp = Directory.Exists(folder) ? Directory.GetFiles(folder, "crash.*.flv.tmp").SingleOrDefault() ?? string.Empty : string.Empty;
                    return tmp.Length > 0 && FlvTags.LastMediaTimestamp(tmp) >= 3000;
                }, TimeSpan.FromSeconds(60), "3 s recorded into a .tmp");
                node.Kill();
                await node.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }

            // Killed: nothing was finalized, the .tmp holds what reached the disk.
            Assert.True(File.Exists(tmp), tmp);
            Assert.Empty(Directory.GetFiles(folder, "*.flv"));
            recorded = FlvTags.LastMediaTimestamp(tmp) / 1000.0;
            Assert.True(recorded >= 3.0, $"{recorded} s in the .tmp");
            Assert.NotEqual(recorded, FlvTags.MetadataDuration(tmp) ?? 0, 3); // at most the publisher's own onMetaData
        }
        catch
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }

            throw;
        }

        // The next node on the same storage finishes it before anything records, and catalogs it.
        await using var again = await TestServer.StartAsync(Rules, root);
        Assert.False(File.Exists(tmp));
        var file = Assert.Single(Directory.GetFiles(folder, "crash.*.flv"));
        Assert.Equal(tmp[..^".tmp".Length], file);
        Assert.InRange(await DurationAsync(file), recorded - 0.1, recorded + 0.1);
        Assert.Equal(recorded, FlvTags.MetadataDuration(file)!.Value, 3);
        var (exit, errors, frames) = await Probe.DecodeAsync(file, 10);
        Assert.True(exit == 0 && errors.Length == 0, errors);
        Assert.True(frames >= 70, $"decoded {frames} frames");

        using var http = new HttpClient();
        var entry = Assert.Single((await ListAsync(http, again, "?app=rec&stream=crash")).EnumerateArray());
        Assert.Equal(file, entry.GetProperty("file").GetString());
        Assert.Equal(recorded, entry.GetProperty("duration").GetDouble(), 3);
        Assert.Equal(new FileInfo(file).Length, entry.GetProperty("size").GetInt64());
    }
}
