using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Platform.Api.Nodes;

/// <summary>A node asks another to prove it holds the same <c>Cluster:Secret</c>: HMAC of a fresh nonce.</summary>
public sealed record SecretChallenge(string Nonce);

public sealed record SecretProof(string Nonce, string Proof);

/// <summary>Pure parts of the check: the proof, and which of two nodes with different secrets goes.</summary>
public static class SecretProofs
{
    public static string Prove(byte[] secret, string nonce) =>
        Convert.ToHexString(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes("cluster-secret-check\n" + nonce)));

    public static bool Verify(byte[] secret, string nonce, string proof) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Prove(secret, nonce)), Encoding.ASCII.GetBytes(proof));

    /// <summary>The younger of the two members leaves: a node joining with a wrong secret never takes a working cluster down.</summary>
    public static bool SelfLeaves(Member self, Member other) => Member.AgeOrdering.Compare(self, other) > 0;
}

/// <summary>
/// Checks, for every other member that comes up, that it holds this node's <c>Cluster:Secret</c> (media links
/// and HLS relays between the two would otherwise fail one by one). On a mismatch the younger node logs it
/// naming the key and stops with exit code 2; the older one logs it and goes on.
/// </summary>
public sealed class SecretCheck : ReceiveActor
{
    public const string Name = "secret-check";

    private readonly byte[] _secret;
    private readonly Action<string> _stop;
    private readonly Dictionary<string, Member> _asked = new(StringComparer.Ordinal);
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public SecretCheck(byte[] secret, Action<string> stop)
    {
        _secret = secret;
        _stop = stop;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members.Where(m => m.Status == MemberStatus.Up))
            {
                Ask(member);
            }
        });
        Receive<ClusterEvent.MemberUp>(up => Ask(up.Member));
        Receive<SecretChallenge>(c => Sender.Tell(new SecretProof(c.Nonce, SecretProofs.Prove(_secret, c.Nonce))));
        Receive<SecretProof>(Check);
    }

    public static Props Props(byte[] secret, Action<string> stop) => Akka.Actor.Props.Create(() => new SecretCheck(secret, stop));

    protected override void PreStart() => _cluster.Subscribe(Self, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Ask(Member member)
    {
        if (member.Address == _cluster.SelfAddress)
        {
            return;
        }

        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _asked[nonce] = member;
        Context.ActorSelection(new RootActorPath(member.Address) / "user" / Name).Tell(new SecretChallenge(nonce));
    }

    private void Check(SecretProof proof)
    {
        if (!_asked.Remove(proof.Nonce, out var member) || SecretProofs.Verify(_secret, proof.Nonce, proof.Proof))
        {
            return;
        }

        if (SecretProofs.SelfLeaves(_cluster.SelfMember, member))
        {
            _log.Error("Cluster:Secret differs from the cluster's (node {0} proves another secret): this node joined the wrong cluster or has the wrong secret, and stops", member.Address);
            _stop($"Cluster:Secret differs from node {member.Address}'s");
        }
        else
        {
            _log.Error("node {0} joined with a different Cluster:Secret; it stops itself (media links to and from it would fail)", member.Address);
        }
    }
}
