using System.Diagnostics;
using Platform.Load.Cli;

namespace Platform.Load.Modes;

/// <summary>
/// <c>churn</c>: N distinct stream names (URL_PREFIX + index), each connected, published for about a second
/// of media (at least up to its first key frame) in real time, then unpublished and disconnected (or just
/// dropped with <c>--abort</c>), at most C at a time. For checking that a server frees its streams.
/// </summary>
public static class ChurnMode
{
    public const string Usage =
        "churn -n STREAMS [-c CONCURRENCY] -f FILE.flv [-s MEDIA_SECONDS] [-q] [--abort] [--digest] URL_PREFIX\n" +
        "    -c default 10; -s default 1 (media sent per stream); --abort drops the connection without unpublishing";

    private static readonly TimeSpan PerStreamTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(CliArgs args, CancellationToken stopToken)
    {
        args.AllowOnly("-n", "-c", "-f", "-s", "-q", "--abort", "--digest");
        var prefix = args.Single("URL_PREFIX");
        var source = FlvFileSource.Load(args.RequiredString("-f"));
        var count = args.Int("-n", 1, min: 1);
        var concurrency = Math.Min(args.Int("-c", 10, min: 1), count);
        var job = new ChurnJob(prefix, source, (long)(args.Double("-s", 1) * 1000), args.Has("--abort"), args.Has("--digest"), count);
        Console.WriteLine($"# platform-load churn prefix={prefix} n={count} concurrency={concurrency} media={job.MediaMs}ms abort={job.Abort}");

        var started = Stopwatch.GetTimestamp();
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = job.WorkAsync(stopToken);
        }

        var all = Task.WhenAll(workers);
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
            if (!args.Has("-q"))
            {
                Console.WriteLine(
                    $"t={Stopwatch.GetElapsedTime(started).TotalSeconds:0}s done={job.Done} ok={job.Ok} errors={job.ErrorCount} active={job.Active}");
            }
        }

        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var setup = job.SetupTimes();
        Console.WriteLine($"errors: total={job.ErrorCount}{ErrorKinds.Format(job.Errors)}");
        foreach (var example in job.ErrorExamples)
        {
            Console.WriteLine($"  e.g. {example}");
        }

        Console.WriteLine(
            $"RESULT mode=churn n={count} done={job.Done} ok={job.Ok} errors={job.ErrorCount} elapsed_s={wall:0.0} " +
            $"rate={job.Done / wall:0.0} publish_p50={Percentiles.Of(setup, 50)} publish_p99={Percentiles.Of(setup, 99)}");
        return job.Ok == count ? 0 : 1;
    }

    /// <summary>FCUnpublish and deleteStream, best effort, bounded.</summary>
    public static async Task UnpublishQuietlyAsync(RtmpClient? client)
    {
        if (client is null || client.StreamId == 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.UnpublishAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
        }
    }

    /// <summary>The shared work queue of a churn run and its counters.</summary>
    private sealed class ChurnJob(string prefix, FlvFileSource source, long mediaMs, bool abort, bool digest, int count)
    {
        private readonly List<long> _setupMs = [];
        private readonly List<string> _errors = [];
        private readonly List<string> _examples = [];
        private int _next = -1;
        private int _done;
        private int _ok;
        private int _active;

        public long MediaMs => mediaMs;

        public bool Abort => abort;

        public int Done => Volatile.Read(ref _done);

        public int Ok => Volatile.Read(ref _ok);

        public int Active => Volatile.Read(ref _active);

        public int ErrorCount
        {
            get
            {
                lock (_errors)
                {
                    return _errors.Count;
                }
            }
        }

        public IReadOnlyList<string> Errors => _errors;

        public IReadOnlyList<string> ErrorExamples => _examples;

        public List<long> SetupTimes()
        {
            lock (_setupMs)
            {
                var sorted = new List<long>(_setupMs);
                sorted.Sort();
                return sorted;
            }
        }

        public async Task WorkAsync(CancellationToken stopToken)
        {
            int index;
            while (!stopToken.IsCancellationRequested && (index = Interlocked.Increment(ref _next)) < count)
            {
                Interlocked.Increment(ref _active);
                try
                {
                    await PublishOnceAsync(RtmpEndpoint.Indexed(prefix, index), stopToken);
                    Interlocked.Increment(ref _ok);
                }
                catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    Record(index, ex);
                }
                finally
                {
                    Interlocked.Decrement(ref _active);
                    Interlocked.Increment(ref _done);
                }
            }
        }

        private async Task PublishOnceAsync(RtmpEndpoint endpoint, CancellationToken stopToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
            timeout.CancelAfter(PerStreamTimeout);
            var started = Stopwatch.GetTimestamp();
            using var client = await RtmpClient.ConnectAsync(endpoint, digest, timeout.Token);
            await client.PublishAsync(timeout.Token);
            lock (_setupMs)
            {
                _setupMs.Add((long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            await new Publisher(client, source).RunAsync(mediaMs, timeout.Token);
            if (!abort)
            {
                await UnpublishQuietlyAsync(client);
            }
        }

        private void Record(int index, Exception ex)
        {
            var kind = ex is OperationCanceledException ? ErrorKinds.SetupTimeout : ErrorKinds.Classify(ex, connected: true);
            lock (_errors)
            {
                _errors.Add(kind);
                if (_examples.Count < 3)
                {
                    _examples.Add($"{prefix}{index}: {kind} {ex.Message}");
                }
            }
        }
    }
}
