using System.Threading.Channels;
using Akka.Actor;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Workers;

namespace Platform.Api.Hooks;

/// <summary>One notification to send: the event, one of its URLs, the body.</summary>
/// <summary>One notification to send; jobs with the same <paramref name="OrderKey"/> (a client's id) are sent one after another, in order.</summary>
public sealed record HookJob(HookAction Action, Uri Url, string Body, string? OrderKey = null);

/// <summary>
/// The bounded queue of notifications waiting to be sent. Adding never blocks: when full, the oldest
/// waiting notification is dropped and counted.
/// </summary>
public sealed class HookQueue
{
    private readonly Channel<HookJob> _channel;
    private long _dropped;

    public HookQueue(int capacity, Action<HookJob>? dropped = null)
    {
        Capacity = capacity;
        _channel = Channel.CreateBounded<HookJob>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            job =>
            {
                Interlocked.Increment(ref _dropped);
                dropped?.Invoke(job);
            });
    }

    public int Capacity { get; }

    /// <summary>Notifications dropped because the queue was full, since the start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count => _channel.Reader.Count;

    public ChannelReader<HookJob> Reader => _channel.Reader;

    /// <summary>Queues a notification; false only once the queue is closed.</summary>
    public bool Add(HookJob job) => _channel.Writer.TryWrite(job);

    public void Close() => _channel.Writer.TryComplete();
}

/// <summary>
/// The notifications: on_close, on_unpublish and on_stop (from the access pipeline's lifecycle events)
/// and on_dvr and on_hls (from workers' events on the actor system's event stream). Each is queued at
/// once (<see cref="HookQueue"/>) and sent in the background, several at a time, each retried a bounded
/// number of times with growing waits; failures are logged. Nothing here ever makes a stream or a
/// session wait.
/// </summary>
public sealed class HookNotifier : BackgroundService, IClientEventSink
{
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DropWarningInterval = TimeSpan.FromSeconds(5);

    private readonly HookSettings _settings;
    private readonly HookClient _client;
    private readonly HookNode _node;
    private readonly PublisherDirectory _publishers;
    private readonly IServiceProvider _services;
    private readonly ILogger _log;
    private readonly HookQueue _queue;
    private readonly CancellationTokenSource _hardStop = new();
    private readonly SemaphoreSlim _slots;
    private long _lastDropWarning;
    private long _droppedSinceWarning;
    private IActorRef? _events;
    private int _disposed;

    public HookNotifier(HookSettings settings, HookClient client, HookNode node, PublisherDirectory publishers, IServiceProvider services, ILogger<HookNotifier> log)
    {
        _settings = settings;
        _client = client;
        _node = node;
        _publishers = publishers;
        _services = services;
        _log = log;
        var rules = settings.Current;
        _queue = new HookQueue(rules.QueueCapacity, OnDropped);
        _slots = new SemaphoreSlim(rules.Concurrency, rules.Concurrency);
    }

    public HookQueue Queue => _queue;

    public void OnClientEvent(ClientEventKind kind, ClientInfo client)
    {
        var action = kind switch
        {
            ClientEventKind.Closed => HookAction.OnClose,
            ClientEventKind.Unpublished => HookAction.OnUnpublish,
            _ => HookAction.OnStop,
        };
        var urls = _settings.Current.UrlsFor(action, client.Stream.Vhost, client.Stream.App);
        if (urls.Count > 0)
        {
            Enqueue(action, urls, action == HookAction.OnClose ? HookBodies.Close(_node, client) : HookBodies.ForStream(action, _node, client), client.Id);
        }
    }

    public void OnWorkerEvent(WorkerEvent e)
    {
        var action = e is DvrFileClosed ? HookAction.OnDvr : HookAction.OnHls;
        var urls = _settings.Current.UrlsFor(action, e.Stream.Vhost, e.Stream.App);
        if (urls.Count == 0)
        {
            return;
        }

        var publisher = _publishers.Find(e.Stream);
        switch (e)
        {
            case DvrFileClosed dvr:
                Enqueue(action, urls, HookBodies.Dvr(_node, dvr, publisher));
                break;
            case HlsSegmentClosed hls:
                Enqueue(action, urls, HookBodies.Hls(_node, hls, publisher));
                break;
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var system = _services.GetRequiredService<ActorSystem>();
        _events = system.ActorOf(Props.Create(() => new HookEventsActor(this)), "http-hooks");
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Events raised while the node stops (clients closing) are still sent, for a short while.
        _queue.Close();
        _hardStop.CancelAfter(DrainGrace);
        _events?.Tell(PoisonPill.Instance);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        // Registered under three services, so disposed up to three times.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _hardStop.Cancel();
            _hardStop.Dispose();
            base.Dispose();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stop = _hardStop.Token;
        var sending = new HashSet<Task>();

        // A client's notifications go out in the order they happened (SRS: on_stop, then on_close), the
        // clients' among themselves at once.
        var lastOfClient = new Dictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
                Task task;
                lock (sending)
                {
                    task = job.OrderKey is { } key && lastOfClient.TryGetValue(key, out var previous)
                        ? previous.ContinueWith(_ => SendAsync(job, stop), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap()
                        : SendAsync(job, stop);
                    sending.Add(task);
                    if (job.OrderKey is { } orderKey)
                    {
                        lastOfClient[orderKey] = task;
                    }
                }

                _ = task.ContinueWith(t =>
                {
                    _slots.Release();
                    lock (sending)
                    {
                        sending.Remove(t);
                        if (job.OrderKey is { } orderKey && lastOfClient.TryGetValue(orderKey, out var last) && last == t)
                        {
                            lastOfClient.Remove(orderKey);
                        }
                    }
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException)
        {
        }

        Task[] left;
        lock (sending)
        {
            left = [.. sending];
        }

        await Task.WhenAll(left).ConfigureAwait(false);
        if (_queue.Count > 0)
        {
            _log.LogWarning("hooks: {Count} notifications not sent, the node stopped", _queue.Count);
        }
    }

    /// <summary>Sends one notification, retrying up to <c>Hooks:Retries</c> times with doubling waits.</summary>
    private async Task SendAsync(HookJob job, CancellationToken stop)
    {
        var rules = _settings.Current;
        var attempts = 1 + rules.Retries;
        for (var attempt = 1; ; attempt++)
        {
            var result = await _client.PostAsync(job.Action, job.Url, job.Body, rules.Timeout, stop).ConfigureAwait(false);
            if (result.Outcome == HookOutcome.Canceled)
            {
                _log.LogWarning("hook {Action} {Url}: not sent, the node stopped", job.Action.SrsName(), job.Url);
                return;
            }

            if (result.Delivered)
            {
                if (result.Accepted)
                {
                    _log.LogDebug("hook {Action} {Url}: sent in {Elapsed:0} ms", job.Action.SrsName(), job.Url, result.Elapsed.TotalMilliseconds);
                }
                else
                {
                    // Received: a notification's answer decides nothing, so it is not sent again.
                    _log.LogWarning("hook {Action} {Url}: received but answered {Detail} after {Elapsed:0} ms", job.Action.SrsName(), job.Url, result.Detail, result.Elapsed.TotalMilliseconds);
                }

                return;
            }

            if (attempt >= attempts)
            {
                _log.LogError("hook {Action} {Url}: failed {Attempts} times, given up; last: {Outcome}, {Detail}, after {Elapsed:0} ms",
                    job.Action.SrsName(), job.Url, attempts, result.Outcome, result.Detail, result.Elapsed.TotalMilliseconds);
                return;
            }

            var wait = Backoff(rules.RetryDelay, attempt);
            _log.LogWarning("hook {Action} {Url}: attempt {Attempt} of {Attempts} failed ({Outcome}, {Detail}, after {Elapsed:0} ms), again in {Wait:0.###} s",
                job.Action.SrsName(), job.Url, attempt, attempts, result.Outcome, result.Detail, result.Elapsed.TotalMilliseconds, wait.TotalSeconds);
            try
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _log.LogWarning("hook {Action} {Url}: not sent, the node stopped", job.Action.SrsName(), job.Url);
                return;
            }
        }
    }

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based): the delay, doubled each time, at most 30 s.</summary>
    public static TimeSpan Backoff(TimeSpan delay, int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, delay.Ticks * (1L << Math.Min(retry - 1, 20))));

    private void Enqueue(HookAction action, IReadOnlyList<Uri> urls, string body, string? orderKey = null)
    {
        foreach (var url in urls)
        {
            _queue.Add(new HookJob(action, url, body, orderKey));
        }
    }

    private void OnDropped(HookJob job)
    {
        Interlocked.Increment(ref _droppedSinceWarning);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastDropWarning);
        if (now - last >= DropWarningInterval.TotalMilliseconds && Interlocked.CompareExchange(ref _lastDropWarning, now, last) == last)
        {
            _log.LogWarning("hooks: notification queue full ({Capacity}); dropped the oldest {Count} (last {Action} {Url})",
                _queue.Capacity, Interlocked.Exchange(ref _droppedSinceWarning, 0), job.Action.SrsName(), job.Url);
        }
    }

    /// <summary>Hands workers' file events (on the actor system's event stream) to the notifier.</summary>
    private sealed class HookEventsActor : ReceiveActor
    {
        public HookEventsActor(HookNotifier notifier)
        {
            Receive<WorkerEvent>(notifier.OnWorkerEvent);
        }

        protected override void PreStart()
        {
            Context.System.EventStream.Subscribe(Self, typeof(DvrFileClosed));
            Context.System.EventStream.Subscribe(Self, typeof(HlsSegmentClosed));
        }
    }
}
