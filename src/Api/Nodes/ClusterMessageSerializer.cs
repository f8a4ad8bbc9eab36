using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Platform.Streams.Clients;
using Platform.Streams.Entity;
using Platform.Streams.Workers;

namespace Platform.Api.Nodes;

/// <summary>
/// The serializer of every message that crosses nodes: stream control (publish, play, reports, where a
/// stream is published), workers, kicks and the cluster API's queries. Each type has a short manifest
/// that never changes with a rename; the body is JSON of the message's fields, with actor references as
/// their serialized paths and addresses as text. Nothing relies on type names.
/// </summary>
public sealed class ClusterMessageSerializer : SerializerWithStringManifest
{
    private static readonly (Type Type, string Manifest)[] Table =
    [
        (typeof(PublishStream), "ps"),
        (typeof(UnpublishStream), "us"),
        (typeof(PlayStream), "pl"),
        (typeof(StopPlaying), "sp"),
        (typeof(ReportStreamStats), "rs"),
        (typeof(GetStream), "gs"),
        (typeof(StopPublisher), "stp"),
        (typeof(WatchPublisher), "wp"),
        (typeof(UnwatchPublisher), "uwp"),
        (typeof(PublisherLocation), "loc"),
        (typeof(RegisterReadersAgain), "rra"),
        (typeof(PublishAccepted), "pa"),
        (typeof(PublishRejected), "pr"),
        (typeof(PlayAccepted), "pla"),
        (typeof(PlayRejected), "plr"),
        (typeof(StreamSnapshot), "snap"),
        (typeof(StartWorker), "ws"),
        (typeof(StopWorker), "wx"),
        (typeof(WorkerControlled), "wc"),
        (typeof(KickClient), "kick"),
        (typeof(ListNodeClients), "nc?"),
        (typeof(NodeClients), "nc"),
        (typeof(KickNodeClient), "nk?"),
        (typeof(NodeKickResult), "nk"),
        (typeof(GetNodeSummary), "ns?"),
        (typeof(NodeSummary), "ns"),
        (typeof(ListNodeEntities), "ne?"),
        (typeof(NodeEntities), "ne"),
        (typeof(ListNodeDvrs), "nd?"),
        (typeof(NodeDvrs), "nd"),
        (typeof(DrainNode), "dr?"),
        (typeof(NodeDraining), "dr"),
        (typeof(SecretChallenge), "sc?"),
        (typeof(WorkerReport), "wr"),
        (typeof(RunHostedWorker), "hw"),
        (typeof(StopHostedWorker), "hw-"),
        (typeof(HostedWorkerSignal), "hws"),
        (typeof(RestartHostedWorker), "hwr"),
        (typeof(HostedWorkerStopped), "hwx"),
        (typeof(SecretProof), "sc"),
        (typeof(Platform.Streams.Sources.KeepSource), "src+"),
        (typeof(Platform.Streams.Sources.StartSource), "src>"),
        (typeof(Platform.Streams.Sources.StopSource), "src-"),
    ];

    private static readonly Dictionary<Type, string> Manifests = Table.ToDictionary(t => t.Type, t => t.Manifest);
    private static readonly Dictionary<string, Type> Types = Table.ToDictionary(t => t.Manifest, t => t.Type, StringComparer.Ordinal);
    private readonly JsonSerializerOptions _json;

    public ClusterMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
        _json = new JsonSerializerOptions
        {
            Converters = { new ActorRefConverter(system), new AddressConverter() },
            IgnoreReadOnlyProperties = true,
        };
    }

    /// <summary>Every type this serializer is bound to.</summary>
    public static IReadOnlyList<Type> BoundTypes { get; } = [.. Table.Select(t => t.Type)];

    public override int Identifier => 7302;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest) ? manifest : throw new ArgumentException($"cannot serialize {o.GetType()}", nameof(o));

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, _json) ?? throw new SerializationException($"empty {manifest} message")
            : throw new SerializationException($"unknown manifest '{manifest}'");

    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override IActorRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { } path ? system.Provider.ResolveActorRef(path) : null;

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Serialization.SerializedActorPath(value));
    }

    private sealed class AddressConverter : JsonConverter<Address>
    {
        public override Address? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { } text ? Address.Parse(text) : null;

        public override void Write(Utf8JsonWriter writer, Address value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}
