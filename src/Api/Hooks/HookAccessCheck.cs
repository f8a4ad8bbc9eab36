using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;

namespace Platform.Api.Hooks;

/// <summary>
/// on_connect, on_publish and on_play as decisions: the client may go on only when every URL configured
/// for the event (in order) answers "yes" (<see cref="HookResponse"/>); any other answer, a timeout or an
/// unreachable hook server refuses, and the log says which URL, what it answered and how long it took.
/// Independent of the protocol: the session only sees the decision.
/// </summary>
public sealed class HookAccessCheck(HookSettings settings, HookClient client, HookNode node, PublisherDirectory publishers, ILogger<HookAccessCheck> log) : IAccessCheck
{
    /// <summary>Hook servers hear of pulled sources' publishes too, and may refuse them.</summary>
    public bool ChecksAnnounced => true;

    public async ValueTask<AccessDecision> CheckAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        var action = request.Action switch
        {
            AccessAction.Connect => HookAction.OnConnect,
            AccessAction.Publish => HookAction.OnPublish,
            _ => HookAction.OnPlay,
        };
        var info = request.Client;
        var rules = settings.Current;
        var urls = rules.UrlsFor(action, info.Stream.Vhost, info.Stream.App);
        if (urls.Count > 0)
        {
            var body = action == HookAction.OnConnect ? HookBodies.Connect(node, info) : HookBodies.ForStream(action, node, info);
            foreach (var url in urls)
            {
                var result = await client.PostAsync(action, url, body, rules.Timeout, cancellationToken).ConfigureAwait(false);
                if (!result.Accepted)
                {
                    var level = result.Outcome == HookOutcome.Canceled ? LogLevel.Information : LogLevel.Warning;
                    log.Log(level, "hook {Action} {Url} refused client {ClientId} from {Ip} ({Stream}): {Outcome}, {Detail}, after {Elapsed:0} ms",
                        action.SrsName(), url, info.Id, info.Ip, Describe(info), result.Outcome, result.Detail, result.Elapsed.TotalMilliseconds);
                    return AccessDecision.Deny($"refused by the {action.SrsName()} hook");
                }

                log.LogDebug("hook {Action} {Url} allowed client {ClientId} ({Stream}) in {Elapsed:0} ms", action.SrsName(), url, info.Id, Describe(info), result.Elapsed.TotalMilliseconds);
            }
        }

        if (action == HookAction.OnPublish)
        {
            publishers.Record(info);
        }

        return AccessDecision.Allow;
    }

    private static string Describe(ClientInfo info) =>
        info.Stream.Stream is { Length: > 0 } ? info.Stream.ToString() : $"{info.Stream.Vhost}/{info.Stream.App}";
}

/// <summary>
/// The last client allowed to publish each stream, for the events that come from workers (on_dvr, on_hls)
/// and name the publisher. Bounded: past <see cref="Capacity"/> streams, the least recently published go.
/// </summary>
public sealed class PublisherDirectory
{
    public const int Capacity = 10_000;

    private readonly Dictionary<StreamKey, (ClientInfo Client, long Order)> _publishers = [];
    private long _order;

    public void Record(ClientInfo client)
    {
        lock (_publishers)
        {
            _publishers[client.Stream] = (client, ++_order);
            if (_publishers.Count > Capacity)
            {
                var oldest = _publishers.OrderBy(p => p.Value.Order).Take(_publishers.Count - (Capacity * 9 / 10)).Select(p => p.Key).ToList();
                oldest.ForEach(k => _publishers.Remove(k));
            }
        }
    }

    public ClientInfo? Find(StreamKey stream)
    {
        lock (_publishers)
        {
            return _publishers.TryGetValue(stream, out var entry) ? entry.Client : null;
        }
    }
}
