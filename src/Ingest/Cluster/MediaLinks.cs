using Akka.Actor;
using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Cluster;
using Platform.Streams.Entity;

namespace Platform.Ingest.Cluster;

/// <summary>
/// This node's links to the nodes where its streams are published: one <see cref="MediaLink"/> per stream
/// that has local readers, opened by the first demand, kept for <see cref="MediaLinkOptions.Linger"/> after
/// the last one is released (a reader coming back in that time reuses it), then closed. Where each stream
/// is published is the entity's knowledge: a link asks it and is told of every change by
/// the link's own <see cref="MediaLinkWatcher"/>; nodes never poll each other.
/// </summary>
public sealed class MediaLinks : IMediaLinks, IDisposable
{
    /// <summary>Hub publisher ids of links start with this, so a link-fed hub is never served on to another node.</summary>
    public const string PublisherPrefix = "link:";

    private readonly Dictionary<StreamKey, MediaLink> _links = [];
    private readonly Lock _lock = new();
    private readonly StreamControl _control;
    private readonly ILogger _log;

    public MediaLinks(StreamControl control, MediaLinkOptions options, ILogger<MediaLinks> log)
    {
        _control = control;
        Options = options;
        _log = log;
    }

    public MediaLinkOptions Options { get; }

    internal StreamControl Control => _control;

    internal ILogger Log => _log;

    /// <summary>Links open now (streaming, waiting for a publisher or lingering).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _links.Count;
            }
        }
    }

    public static bool IsLinkPublisher(string publisherId) => publisherId.StartsWith(PublisherPrefix, StringComparison.Ordinal);

    public IDisposable Demand(StreamKey stream)
    {
        MediaLink link;
        lock (_lock)
        {
            if (!_links.TryGetValue(stream, out link!))
            {
                link = new MediaLink(this, stream);
                _links.Add(stream, link);
                link.Start();
            }

            link.Users++;
            link.CancelLinger();
        }

        return new LinkDemand(this, link);
    }

    public bool Yield(StreamKey stream)
    {
        MediaLink? link;
        lock (_lock)
        {
            link = _links.GetValueOrDefault(stream);
        }

        return link?.Yield() ?? false;
    }

    private void Release(MediaLink link)
    {
        lock (_lock)
        {
            if (--link.Users > 0)
            {
                return;
            }

            link.StartLinger(Options.Linger, () => Expire(link));
        }
    }

    private void Expire(MediaLink link)
    {
        lock (_lock)
        {
            if (link.Users > 0 || !_links.TryGetValue(link.Key, out var current) || !ReferenceEquals(current, link))
            {
                return;
            }

            _links.Remove(link.Key);
        }

        _log.LogInformation("media link for {Stream}: no local reader for {Linger}, closed", link.Key, Options.Linger);
        link.Stop();
    }

    public void Dispose()
    {
        List<MediaLink> links;
        lock (_lock)
        {
            links = [.. _links.Values];
            _links.Clear();
        }

        foreach (var link in links)
        {
            link.Stop();
        }
    }

    private sealed class LinkDemand(MediaLinks owner, MediaLink link) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(link);
            }
        }
    }
}

/// <summary>
/// One link's subscription to its stream's entity: receives the <see cref="PublisherLocation"/> updates. The
/// entity watches it, so stopping it (the link closed, or its node died) ends the subscription, whatever
/// other link of the same stream this node opens meanwhile.
/// </summary>
internal sealed class MediaLinkWatcher : ReceiveActor
{
    public MediaLinkWatcher(MediaLink link)
    {
        Receive<PublisherLocation>(link.OnLocation);
    }

    public static Props Props(MediaLink link) => Akka.Actor.Props.Create(() => new MediaLinkWatcher(link));
}
