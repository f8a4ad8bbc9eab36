using System.Diagnostics;
using Platform.Load.Cli;

namespace Platform.Load.Modes;

/// <summary>
/// <c>publish</c>: N streams (URL_PREFIX + index) each looping the file in real time for the duration; a
/// progress line a second and a <c>RESULT</c> line. Exit code 0 only if no stream failed.
/// </summary>
public static class PublishMode
{
    public const string Usage =
        "publish -f FILE.flv [-n STREAMS] [-d SECONDS] [-q] [--digest] URL_PREFIX\n" +
        "    publishes URL_PREFIX0 .. URL_PREFIX{N-1} (rtmp://host/live/s -> s0, s1, ...); -n default 1, -d default 30";

    public static async Task<int> RunAsync(CliArgs args, CancellationToken stopToken)
    {
        args.AllowOnly("-f", "-n", "-d", "-q", "--digest");
        var prefix = args.Single("URL_PREFIX");
        var source = FlvFileSource.Load(args.RequiredString("-f"));
        var count = args.Int("-n", 1, min: 1);
        var duration = args.Double("-d", 30, min: 0.1);
        var digest = args.Has("--digest");
        Console.WriteLine($"# platform-load publish prefix={prefix} n={count} duration={duration}s file_tags={source.Tags.Count} loop={source.Duration}ms");

        var streams = new PublishedStream[count];
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        var tasks = new Task[count];
        for (var i = 0; i < count; i++)
        {
            streams[i] = new PublishedStream(RtmpEndpoint.Indexed(prefix, i), source);
            tasks[i] = streams[i].RunAsync(digest, run.Token);
        }

        var started = Stopwatch.GetTimestamp();
        long lastBytes = 0, lastTags = 0;
        try
        {
            for (var tick = 1; tick <= Math.Ceiling(duration); tick++)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(tick, duration)) - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, run.Token);
                }

                long bytes = 0, tags = 0;
                foreach (var s in streams)
                {
                    bytes += s.BytesSent;
                    tags += s.TagsSent;
                }

                if (!args.Has("-q"))
                {
                    Console.WriteLine(
                        $"t={Stopwatch.GetElapsedTime(started).TotalSeconds:0}s publishing={streams.Count(s => s.Publishing)} " +
                        $"mbps={(bytes - lastBytes) * 8 / 1e6:0.0} tags={tags - lastTags}/s errors={streams.Count(s => s.Error is not null)}");
                }

                lastBytes = bytes;
                lastTags = tags;
            }
        }
        catch (OperationCanceledException)
        {
        }

        await run.CancelAsync();
        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        return PrintResult(streams, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static int PrintResult(PublishedStream[] streams, double wall)
    {
        var errors = streams.Count(s => s.Error is not null);
        var bytes = streams.Sum(s => s.BytesSent);
        Console.WriteLine($"errors: total={errors}{ErrorKinds.Format(streams.Select(s => s.Error))}");
        foreach (var s in streams.Where(s => s.Error is not null).Take(3))
        {
            Console.WriteLine($"  e.g. {s.Endpoint}: {s.Error} {s.ErrorMessage}");
        }

        Console.WriteLine(
            $"RESULT mode=publish n={streams.Length} published={streams.Count(s => s.Started)} ok={streams.Count(s => s.Started && s.Error is null)} " +
            $"errors={errors} mbps={bytes * 8 / wall / 1e6:0.0} bytes={bytes} tags={streams.Sum(s => s.TagsSent)} " +
            $"loops={streams.Sum(s => s.Loops)} media_s={streams.Max(s => s.MediaTime) / 1000.0:0.0}");
        return errors == 0 ? 0 : 1;
    }

    /// <summary>One looping publisher and how it went.</summary>
    private sealed class PublishedStream(RtmpEndpoint endpoint, FlvFileSource source)
    {
        private Publisher? _publisher;
        private RtmpClient? _client;

        public RtmpEndpoint Endpoint => endpoint;

        public bool Started { get; private set; }

        public bool Publishing { get; private set; }

        public string? Error { get; private set; }

        public string? ErrorMessage { get; private set; }

        public long BytesSent => _client?.BytesSent ?? 0;

        public long TagsSent => _publisher?.TagsSent ?? 0;

        public int Loops => _publisher?.Loops ?? 0;

        public long MediaTime => _publisher?.MediaTime ?? 0;

        public async Task RunAsync(bool digest, CancellationToken cancellationToken)
        {
            var connected = false;
            try
            {
                _client = await RtmpClient.ConnectAsync(endpoint, digest, cancellationToken);
                connected = true;
                await _client.PublishAsync(cancellationToken);
                Started = Publishing = true;
                _publisher = new Publisher(_client, source);
                await _publisher.RunAsync(null, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await ChurnMode.UnpublishQuietlyAsync(_client);
            }
            catch (Exception ex)
            {
                Error = ErrorKinds.Classify(ex, connected);
                ErrorMessage = ex.Message;
            }
            finally
            {
                Publishing = false;
                _client?.Dispose();
            }
        }
    }
}
