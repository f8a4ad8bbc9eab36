using Platform.Ingest.Rtmp;
using Platform.Streams;
using Platform.Streams.Hub;

namespace Platform.Api.Hosting;

/// <summary>Every setting of a node, bound from appsettings.json, environment and command line.</summary>
public sealed class PlatformOptions
{
    public RtmpServerOptions Rtmp { get; set; } = new();

    public HttpOptions Http { get; set; } = new();

    public ApiOptions Api { get; set; } = new();

    public ManagementOptions Management { get; set; } = new();

    public ClusterNodeOptions Cluster { get; set; } = new();

    public StorageOptions Storage { get; set; } = new();

    public StreamSettings Streams { get; set; } = new();

    /// <summary>How transcode engines' ffmpeg processes are run and supervised.</summary>
    public Workers.Engines.EngineOptions Engines { get; set; } = new();

    /// <summary>The cluster role each kind of worker runs on (engines, recordings, forwards); empty: with the stream's entity.</summary>
    public Platform.Streams.Workers.PlacementOptions Placement { get; set; } = new();

    /// <summary>Rules per vhost/app/stream pattern deciding which workers run; empty: HLS for every stream.</summary>
    public List<Workers.Rules.AppRule> Apps { get; set; } = [];

    /// <summary>Streams the platform pulls (cameras, other servers, files), always or on demand.</summary>
    public List<Platform.Sources.Config.SourceRule> Sources { get; set; } = [];

    public IReadOnlyList<Workers.Rules.AppRule> EffectiveApps => Apps.Count > 0 ? Apps : [new Workers.Rules.AppRule()];
}

public sealed class HttpOptions
{
    public int Port { get; set; } = 8080;

    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// The host name players and encoders reach this node at, written into the URLs the token CLI and
    /// <c>POST /api/v1/tokens</c> give; unset: the CLI says 127.0.0.1 and the API the host it was asked at.
    /// </summary>
    public string? PublicHost { get; set; }

    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an HTTP-FLV player waits for a publisher; unset: <c>Streams:PlayWaitTimeout</c>. <c>00:00:00</c>:
    /// a stream published nowhere in the cluster is answered 404 at once.
    /// </summary>
    public TimeSpan? FlvPlayWaitTimeout { get; set; }

    /// <summary>An HLS viewer session ends after this long without a request; unset: 4 fragments of its stream.</summary>
    public TimeSpan? HlsSessionTimeout { get; set; }

    /// <summary>At most this many HLS viewer sessions on the node; a new viewer past it gets 503.</summary>
    public int HlsMaxSessions { get; set; } = 10000;

    /// <summary>
    /// Segments are served only to a live viewer session (a request carrying the <c>hls_ctx</c> its playlist
    /// gave it), so the play checks made when the session started (tokens, address lists, hooks) also guard
    /// the segments. Off by default, like SRS: a segment's URL alone then fetches it.
    /// </summary>
    public bool HlsRequireSession { get; set; }

    /// <summary>What is wrong with the HLS session settings, naming the key, or null.</summary>
    public string? ValidateHlsSessions()
    {
        if (HlsSessionTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromHours(1)))
        {
            return $"Http:HlsSessionTimeout = {timeout}: must be more than zero and at most 01:00:00";
        }

        return HlsMaxSessions is < 1 or > 1_000_000
            ? $"Http:HlsMaxSessions = {HlsMaxSessions}: must be from 1 to 1000000"
            : null;
    }
}

public sealed class ApiOptions
{
    public int Port { get; set; } = 1985;

    /// <summary>Loopback by default: the API controls the server and is opened to a network on purpose.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Credentials every API request must carry; none: the API is open to whoever reaches it.</summary>
    public ApiAuthOptions Auth { get; set; } = new();

    /// <summary>Lets the API listen beyond loopback with no <see cref="Auth"/>; off, such a start is refused.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>What is wrong with the API's protection, naming the key, or null.</summary>
    public string? ValidateAuth() => ApiAuthenticator.Validate(Auth, BindAddress, AllowAnonymous);
}

/// <summary>
/// The management port: health probes (<c>/alive</c>, <c>/ready</c>), the cluster bootstrap's contact point
/// (<c>/bootstrap/seed-nodes</c>), cluster management (<c>/cluster/...</c>) and <c>/metrics</c>.
/// </summary>
public sealed class ManagementOptions
{
    public int Port { get; set; } = 8558;

    /// <summary>Loopback by default; beyond it the cluster routes need <see cref="Auth"/> (or <see cref="AllowAnonymous"/>).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>The name other nodes' bootstrap reaches this port by; unset: <c>Cluster:Hostname</c>.</summary>
    public string? Hostname { get; set; }

    /// <summary>
    /// Credentials the cluster routes (<c>/cluster/...</c>) ask for, in the API's forms. The probes, the
    /// bootstrap's contact point and <c>/metrics</c> stay open: load balancers, other nodes and scrapers call them.
    /// </summary>
    public ApiAuthOptions Auth { get; set; } = new();

    /// <summary>Lets the cluster routes listen beyond loopback with no <see cref="Auth"/>; off, such a start is refused.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>What is wrong with the management port's protection, naming the key, or null.</summary>
    public string? ValidateAuth() => ApiAuthenticator.Validate(Auth, BindAddress, AllowAnonymous, "Management");
}

/// <summary>
/// Cluster formation without seed addresses: the nodes find each other's management ports by service
/// discovery and agree on who forms the cluster (Akka Cluster Bootstrap).
/// </summary>
public sealed class BootstrapOptions
{
    /// <summary>
    /// <c>config</c>: the management endpoints in <see cref="Endpoints"/> (plain machines); <c>kubernetes</c>:
    /// the pods the Kubernetes API lists for <see cref="PodLabelSelector"/>. Unset: no bootstrap (seeds, or a node alone).
    /// </summary>
    public string? Discovery { get; set; }

    /// <summary>The service's name in discovery (Kubernetes: fills <c>{0}</c> of <see cref="PodLabelSelector"/>).</summary>
    public string ServiceName { get; set; } = "platform";

    /// <summary>With <c>config</c> discovery: every node's management endpoint, <c>host:port</c>, this node's included.</summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>
    /// How many contact points (this node included) must be found before the lowest-addressed one forms a
    /// new cluster; unset: every configured endpoint with <c>config</c>, 2 with <c>kubernetes</c>.
    /// </summary>
    public int? RequiredContactPoints { get; set; }

    /// <summary>Kubernetes: the label selector of the pods; <c>{0}</c> is <see cref="ServiceName"/>.</summary>
    public string PodLabelSelector { get; set; } = "app={0}";

    /// <summary>Kubernetes: the pods' namespace; unset: the namespace of this pod.</summary>
    public string? PodNamespace { get; set; }

    /// <summary>Kubernetes: the name of the pods' container port that serves management.</summary>
    public string PortName { get; set; } = "management";

    public bool Enabled => !string.IsNullOrEmpty(Discovery);

    public bool IsKubernetes => string.Equals(Discovery, "kubernetes", StringComparison.OrdinalIgnoreCase);
}

public sealed class ClusterNodeOptions
{
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>
    /// Where Akka remoting and the media links listen; unset: <see cref="Hostname"/> when it is an IP address
    /// (loopback by default), else every interface.
    /// </summary>
    public string? BindAddress { get; set; }

    /// <summary>
    /// Remoting and links carry the cluster's control in clear: a node that listens beyond loopback refuses to
    /// start unless this says it is on purpose (a private network the operator trusts).
    /// </summary>
    public bool AllowInsecureRemoting { get; set; }

    /// <summary>The address remoting and the media links bind to.</summary>
    public string EffectiveBindAddress =>
        BindAddress ?? (System.Net.IPAddress.TryParse(Hostname, out _) ? Hostname : "0.0.0.0");

    public int Port { get; set; } = 4053;

    /// <summary>Seed node addresses (<c>akka.tcp://platform@host:port</c>); empty: this node forms its own cluster.</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>
    /// Empty: the node does everything. <c>origin</c>: it hosts stream entities and their workers; <c>edge</c>:
    /// it hosts none and serves players (and publishers, unless <see cref="EdgePublishers"/> refuses them)
    /// through media links. With roles, give every node one of the two.
    /// </summary>
    public List<string> Roles { get; set; } = [];

    /// <summary><c>accept</c> (default): an edge takes publishers like any node; <c>refuse</c>: NetStream.Publish.Denied.</summary>
    public string EdgePublishers { get; set; } = "accept";

    public const string OriginRole = "origin";
    public const string EdgeRole = "edge";

    public bool IsEdge => Roles.Contains(EdgeRole, StringComparer.Ordinal);

    /// <summary>The role that hosts stream entities: <c>origin</c> when roles are used, else every node.</summary>
    public string? EntityRole => Roles.Contains(OriginRole, StringComparer.Ordinal) || IsEdge ? OriginRole : null;

    /// <summary>Media links between nodes listen here (plain TCP; every link proves <see cref="Secret"/>).</summary>
    public int MediaPort { get; set; } = 4054;

    /// <summary>Where media links listen; unset: as remoting (<see cref="EffectiveBindAddress"/>).</summary>
    public string? MediaBindAddress { get; set; }

    public string EffectiveMediaBindAddress => MediaBindAddress ?? EffectiveBindAddress;

    /// <summary>
    /// The secret every node of the cluster shares to open media links (at least 16 characters); required
    /// when the node has seeds. Without it the node neither serves nor opens links (a node alone).
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>A media link stays this long after its node's last reader of the stream left.</summary>
    public TimeSpan LinkLinger { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The split-brain resolver (keep-majority) downs unreachable nodes after the cluster has been stable
    /// this long: shorter moves a dead node's streams sooner, longer rides out longer network hiccups.
    /// </summary>
    public TimeSpan DownAfter { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// A draining node (SIGTERM, or a Leave) gives its players and publishers this long to leave before it
    /// closes them; a second SIGTERM ends the drain at once. Unset: <see cref="DefaultDrainTimeout"/> when other
    /// members are up (they take the clients), none when the node is alone (nowhere to send them: it stops at once).
    /// </summary>
    public TimeSpan? DrainTimeout { get; set; }

    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest a drain can wait.</summary>
    public TimeSpan MaxDrainTimeout => DrainTimeout ?? DefaultDrainTimeout;

    /// <summary>A node that is not a cluster member this long after start stops, with exit code 2 and the reason.</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Forming the cluster by discovery instead of <see cref="Seeds"/>.</summary>
    public BootstrapOptions Bootstrap { get; set; } = new();

    /// <summary>Whether media links run (a secret is set).</summary>
    public bool LinksEnabled => !string.IsNullOrEmpty(Secret);

    /// <summary>What other nodes connect to for this node's publishes.</summary>
    public string MediaEndpoint => $"{Hostname}:{MediaPort}";

    /// <summary>What is wrong with the cluster settings, naming the key, or null.</summary>
    public string? Validate()
    {
        if (IsEdge && Roles.Contains(OriginRole, StringComparer.Ordinal))
        {
            return "Cluster:Roles: a node is an origin or an edge, not both";
        }

        if (EdgePublishers is not ("accept" or "refuse"))
        {
            return $"Cluster:EdgePublishers = {EdgePublishers}: must be accept or refuse";
        }

        foreach (var (key, address) in new[] { ("Cluster:BindAddress", EffectiveBindAddress), ("Cluster:MediaBindAddress", EffectiveMediaBindAddress) })
        {
            if (!System.Net.IPAddress.TryParse(address, out var ip))
            {
                return $"{key} = {address}: not an IP address";
            }

            if (!System.Net.IPAddress.IsLoopback(ip) && !AllowInsecureRemoting)
            {
                return $"{key} = {address}: the cluster's remoting and media links would listen beyond loopback without encryption; "
                    + "bind them to loopback or a private address and set Cluster:AllowInsecureRemoting = true to do so on purpose";
            }
        }

        if (Secret is { Length: > 0 and < 16 })
        {
            return "Cluster:Secret: must be at least 16 characters";
        }

        if (Seeds.Count > 0 && !LinksEnabled)
        {
            return "Cluster:Secret: required when Cluster:Seeds is set (every node of a cluster shares it to open media links)";
        }

        if (LinkLinger < TimeSpan.Zero || LinkLinger > TimeSpan.FromHours(1))
        {
            return $"Cluster:LinkLinger = {LinkLinger}: must be from 00:00:00 to 01:00:00";
        }

        if (DownAfter < TimeSpan.FromSeconds(1) || DownAfter > TimeSpan.FromMinutes(10))
        {
            return $"Cluster:DownAfter = {DownAfter}: must be from 00:00:01 to 00:10:00";
        }

        if (JoinTimeout < TimeSpan.FromSeconds(5) || JoinTimeout > TimeSpan.FromHours(1))
        {
            return $"Cluster:JoinTimeout = {JoinTimeout}: must be from 00:00:05 to 01:00:00";
        }

        if (DrainTimeout is { } drain && (drain < TimeSpan.Zero || drain > TimeSpan.FromHours(1)))
        {
            return $"Cluster:DrainTimeout = {DrainTimeout}: must be from 00:00:00 to 01:00:00";
        }

        return ValidateBootstrap();
    }

    private string? ValidateBootstrap()
    {
        if (!Bootstrap.Enabled)
        {
            return Bootstrap.Endpoints.Count > 0 ? "Cluster:Bootstrap:Endpoints is set but Cluster:Bootstrap:Discovery is not: set it to config" : null;
        }

        if (Seeds.Count > 0)
        {
            return "Cluster:Seeds and Cluster:Bootstrap:Discovery are both set: a node joins by seeds or by discovery, not both";
        }

        if (!LinksEnabled)
        {
            return "Cluster:Secret: required when Cluster:Bootstrap:Discovery is set (every node of a cluster shares it to open media links)";
        }

        if (Bootstrap.Discovery!.ToLowerInvariant() is not ("config" or "kubernetes"))
        {
            return $"Cluster:Bootstrap:Discovery = {Bootstrap.Discovery}: must be config or kubernetes";
        }

        if (!Bootstrap.IsKubernetes)
        {
            if (Bootstrap.Endpoints.Count == 0)
            {
                return "Cluster:Bootstrap:Endpoints: config discovery needs the management endpoints (host:port) of the nodes, this one included";
            }

            foreach (var endpoint in Bootstrap.Endpoints)
            {
                var colon = endpoint.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                {
                    return $"Cluster:Bootstrap:Endpoints: {endpoint} is not host:port";
                }
            }
        }

        var most = Bootstrap.IsKubernetes ? 1000 : Bootstrap.Endpoints.Count;
        return Bootstrap.RequiredContactPoints is { } required && (required < 1 || required > most)
            ? $"Cluster:Bootstrap:RequiredContactPoints = {required}: must be from 1 to {most}{(Bootstrap.IsKubernetes ? string.Empty : " (the number of Cluster:Bootstrap:Endpoints)")}"
            : null;
    }
}

public sealed class StorageOptions
{
    public string Root { get; set; } = "./data";

    /// <summary><c>sqlite</c> (embedded, default) or <c>postgresql</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Connection string; for SQLite the default is a file under <see cref="Root"/>.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgreSql => Provider.Equals("postgresql", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string in force: <see cref="ConnectionString"/>, or for SQLite its file under <see cref="Root"/>.</summary>
    public string? EffectiveConnectionString =>
        ConnectionString ?? (IsPostgreSql ? null : $"Data Source={Path.Combine(Path.GetFullPath(Root), "platform.db")}");
}

public sealed class StreamSettings
{
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan PlayWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>full</c>, <c>zero</c> or <c>off</c>, like SRS's time_jitter.</summary>
    public JitterMode TimeJitter { get; set; } = JitterMode.Full;

    public bool GopCache { get; set; } = true;

    public int GopCacheMaxFrames { get; set; } = 2500;

    public long GopCacheMaxBytes { get; set; } = 32 * 1024 * 1024;

    public int ReaderQueueFrames { get; set; } = 2048;

    public long ReaderQueueBytes { get; set; } = 16 * 1024 * 1024;

    public TimeSpan ReaderMaxLag { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Players' writes are merged over at most this long (SRS's mw_latency); zero: every video frame.</summary>
    public TimeSpan WriteCoalesce { get; set; } = TimeSpan.FromMilliseconds(100);

    public StreamsOptions ToStreamsOptions() => new()
    {
        IdleTimeout = IdleTimeout,
        PlayWaitTimeout = PlayWaitTimeout,
        Hub = new HubOptions
        {
            Jitter = TimeJitter,
            GopCache = GopCache,
            MaxGopFrames = GopCacheMaxFrames,
            MaxGopBytes = GopCacheMaxBytes,
            Reader = new ReaderOptions
            {
                MaxQueuedFrames = ReaderQueueFrames,
                MaxQueuedBytes = ReaderQueueBytes,
                MaxLag = ReaderMaxLag,
                WriteCoalesce = WriteCoalesce,
            },
        },
    };
}
