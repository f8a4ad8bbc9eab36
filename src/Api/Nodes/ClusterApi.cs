using Akka.Actor;
using Akka.Cluster;
using Platform.Streams;

namespace Platform.Api.Nodes;

/// <summary>The answers of every member's <see cref="NodeApiActor"/>, and whether some did not answer in time.</summary>
public sealed record Gathered<T>(IReadOnlyList<T> Answers, IReadOnlyList<string> Missing)
{
    public bool Partial => Missing.Count > 0;
}

/// <summary>
/// Asks the same question of every Up member of the cluster at once; a member that does not answer within
/// <see cref="Timeout"/> is listed as missing, so an answer is partial and flagged, never hung.
/// </summary>
public sealed class ClusterApi(StreamControl control)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <param name="timeout">How long a member may take; <see cref="Timeout"/> unless the question takes longer by nature (a kick).</param>
    public async Task<Gathered<T>> AskAllAsync<T>(object question, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var system = control.System;
        var state = Akka.Cluster.Cluster.Get(system).State;
        var live = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving).ToList();

        // A member known to be unreachable is not asked: it is missing at once.
        var missing = live.Where(state.Unreachable.Contains).Select(m => m.Address.ToString()).ToList();
        var members = live.Where(m => !state.Unreachable.Contains(m)).Select(m => m.Address).ToList();
        var asks = members.Select(address => AskOneAsync<T>(system, address, question, timeout ?? Timeout, cancellationToken)).ToList();
        var results = await Task.WhenAll(asks);
        var answers = new List<T>();
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i] is { } answer)
            {
                answers.Add(answer);
            }
            else
            {
                missing.Add(members[i].ToString());
            }
        }

        return new Gathered<T>(answers, missing);
    }

    private static async Task<T?> AskOneAsync<T>(ActorSystem system, Address address, object question, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var path = new RootActorPath(address) / "user" / NodeApiActor.Name;
            return await system.ActorSelection(path).Ask<T>(question, timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // No answer in time, or the node could not answer (its catalog failed): the node is missing.
            return default;
        }
    }
}
