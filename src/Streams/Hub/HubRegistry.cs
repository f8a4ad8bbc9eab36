namespace Platform.Streams.Hub;

/// <summary>
/// The hubs of this node, one per stream that has a publisher or a reader here. A hub is created by the
/// first user and freed, with every frame it cached, when its last user releases it: nothing outlives
/// the streams in use.
/// </summary>
public sealed class HubRegistry
{
    private readonly Dictionary<StreamKey, StreamHub> _hubs = [];
    private readonly Lock _lock = new();
    private readonly Func<StreamKey, HubOptions> _options;
    private HubTotals _retired;

    public HubRegistry(Func<StreamKey, HubOptions>? options = null)
    {
        _options = options ?? (_ => new HubOptions());
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _hubs.Count;
            }
        }
    }

    /// <summary>Takes a use of the stream's hub, creating it if needed; pair with <see cref="Release"/>.</summary>
    public StreamHub Acquire(StreamKey key)
    {
        lock (_lock)
        {
            if (!_hubs.TryGetValue(key, out var hub))
            {
                hub = new StreamHub(key, _options(key));
                _hubs.Add(key, hub);
            }

            hub.Users++;
            return hub;
        }
    }

    public void Release(StreamHub hub)
    {
        lock (_lock)
        {
            if (--hub.Users > 0)
            {
                return;
            }

            _hubs.Remove(hub.Key);
            _retired = _retired.Add(hub.Stats);
        }

        hub.Shutdown("stream closed");
    }

    public StreamHub? Find(StreamKey key)
    {
        lock (_lock)
        {
            return _hubs.GetValueOrDefault(key);
        }
    }

    /// <summary>Frames and bytes through this node's hubs so far; never decreases (freed hubs are kept in the sum).</summary>
    public HubTotals Totals()
    {
        lock (_lock)
        {
            var totals = _retired;
            foreach (var hub in _hubs.Values)
            {
                totals = totals.Add(hub.Stats);
            }

            return totals;
        }
    }

    public IReadOnlyList<StreamHub> Snapshot()
    {
        lock (_lock)
        {
            return [.. _hubs.Values];
        }
    }
}
