using System.Text.Json;
using Akka.Actor;
using Akka.Persistence;
using Akka.Serialization;
using Platform.Streams.Workers;

namespace Platform.Workers.Dvr.Catalog;

/// <summary>One recording in the catalog.</summary>
public sealed record DvrEntry(string Vhost, string App, string Stream, string File, DateTimeOffset Start, double DurationSeconds, long Size);

/// <summary>The persisted event: a recording was finalized.</summary>
public sealed record DvrRecorded(DvrEntry Entry);

/// <summary>Lists recordings, optionally filtered (null = any).</summary>
public sealed record ListDvrs(string? Vhost, string? App, string? Stream);

public sealed record DvrList(IReadOnlyList<DvrEntry> Entries);

/// <summary>
/// The node's catalog of recordings, persisted with Akka.Persistence (SQLite by default): every
/// <see cref="DvrFileClosed"/> on the event stream becomes a <see cref="DvrRecorded"/> event, replayed at
/// start, so the list survives restarts. Recordings recovered from a crash at start-up are told to it directly.
/// </summary>
public sealed class DvrCatalogActor : ReceivePersistentActor
{
    private readonly List<DvrEntry> _entries = [];

    public DvrCatalogActor(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<DvrRecorded>(e => _entries.Add(e.Entry));
        Command<DvrFileClosed>(m =>
        {
            if (_entries.Exists(e => e.File == m.Path))
            {
                return; // already listed (a file is announced once, but a recovered one may be offered again)
            }

            var entry = new DvrEntry(m.Stream.Vhost, m.Stream.App, m.Stream.Stream, m.Path, m.Start, m.Duration.TotalSeconds, m.Size);
            Persist(new DvrRecorded(entry), e => _entries.Add(e.Entry));
        });
        Command<ListDvrs>(m => Sender.Tell(new DvrList(_entries
            .Where(e => (m.Vhost is null || e.Vhost == m.Vhost) && (m.App is null || e.App == m.App) && (m.Stream is null || e.Stream == m.Stream))
            .ToList())));
    }

    public override string PersistenceId { get; }

    protected override void PreStart()
    {
        base.PreStart();
        Context.System.EventStream.Subscribe(Self, typeof(DvrFileClosed));
    }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new DvrCatalogActor(persistenceId));
}

/// <summary>JSON with short, stable manifests for the catalog's persisted events (no .NET type names on disk).</summary>
public sealed class DvrCatalogSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string RecordedManifest = "dvr-recorded-v1";

    public override int Identifier => 7301;

    public override string Manifest(object o) => o switch
    {
        DvrRecorded => RecordedManifest,
        _ => throw new ArgumentException($"cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType());

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        RecordedManifest => JsonSerializer.Deserialize<DvrRecorded>(bytes)!,
        _ => throw new System.Runtime.Serialization.SerializationException($"unknown manifest '{manifest}'"),
    };
}
