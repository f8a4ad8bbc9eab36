using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Api.Hosting;
using Platform.Ingest.Rtmp;
using Platform.Streams;
using Platform.Streams.Hub;

namespace Platform.EndToEnd.Tests;

/// <summary>A real node on loopback with free ports and its own storage folder.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _keepStorage;

    private TestServer(WebApplication app, int rtmp, int http, int api, int management, string root)
    {
        _app = app;
        RtmpPort = rtmp;
        HttpPort = http;
        ApiPort = api;
        ManagementPort = management;
        StorageRoot = root;
    }

    public int RtmpPort { get; }

    public int HttpPort { get; }

    public int ApiPort { get; }

    public int ManagementPort { get; }

    public string StorageRoot { get; }

    public IServiceProvider Services => _app.Services;

    public HubRegistry Hubs => Services.GetRequiredService<HubRegistry>();

    public StreamControl Control => Services.GetRequiredService<StreamControl>();

    /// <summary>Players of a stream connected to this node (workers such as HLS are readers too, but not players).</summary>
    public int Players(StreamKey stream) =>
        Control.Clients.Snapshot().Count(c => c.Info.Stream == stream && !c.Info.IsPublisher && c.Info.Kind != Streams.Clients.ClientKind.RtmpConnecting);

    public string Rtmp(string path) => $"rtmp://127.0.0.1:{RtmpPort}/{path}";

    public string Http(string path) => $"http://127.0.0.1:{HttpPort}/{path}";

    public string Api(string path) => $"http://127.0.0.1:{ApiPort}{path}";

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public string Management(string path) => $"http://127.0.0.1:{ManagementPort}{path}";

    /// <summary>Waits until the stream has its publisher on this node and more than <paramref name="frames"/> frames came in.</summary>
    public Task WaitPublishingAsync(StreamKey key, int frames = 10) =>
        Eventually.TrueAsync(() => Hubs.Find(key) is { IsPublishing: true } hub && hub.Stats.FramesIn > frames, TimeSpan.FromSeconds(30), $"{key} publishing");

    /// <summary><see cref="WaitPublishingAsync(StreamKey, int)"/> for a stream of the default vhost.</summary>
    public Task WaitPublishingAsync(string app, string stream, int frames = 10) =>
        WaitPublishingAsync(new StreamKey(StreamKey.DefaultVhost, app, stream), frames);

    /// <summary>Keep the storage folder when this server stops (to start another node on it).</summary>
    public void KeepStorage() => _keepStorage = true;

    /// <summary>
    /// Starts a node (<c>{rtmp}</c> and <c>{http}</c> in a setting's value become its RTMP and HTTP ports); <paramref name="configure"/> adds configuration sources after the test settings (a
    /// json file a test edits), <paramref name="services"/> adds services (access checks, event sinks).
    /// </summary>
    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, string? storageRoot = null, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var root = storageRoot ?? Path.Combine(Path.GetTempPath(), "platform-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = FreePorts(6);
        var values = NodeSettings(ports, root, new Dictionary<string, string?>
        {
            ["Streams:IdleTimeout"] = "00:00:01",
            ["Apps:0:Hls:CleanupAfter"] = "00:00:01",
            ["Logging:LogLevel:Platform"] = "Information",

            // Stopping a test's node does not wait for its clients to leave.
            ["Cluster:DrainTimeout"] = "00:00:00",
        });
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            // A setting may name the node's own ports (a source pulled from this very node).
            values[key] = value?.Replace("{rtmp}", ports[0].ToString(), StringComparison.Ordinal).Replace("{http}", ports[1].ToString(), StringComparison.Ordinal);
        }

        var app = PlatformHost.Build([], c =>
        {
            c.AddInMemoryCollection(values);
            configure?.Invoke(c);
        }, services);
        await app.StartAsync();
        var server = new TestServer(app, ports[0], ports[1], ports[2], ports[3], root);
        await app.Services.GetRequiredService<RtmpServer>().Listening;
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
        {
            var response = await http.GetAsync(server.Management("/ready"));
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), "node ready");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_keepStorage)
        {
            return;
        }

        try
        {
            Directory.Delete(StorageRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// The settings of a node on <paramref name="ports"/> (RTMP, HTTP, API, management, cluster) with its
    /// storage under <paramref name="root"/>, quiet logs, and <paramref name="extra"/> on top.
    /// </summary>
    internal static Dictionary<string, string?> NodeSettings(int[] ports, string root, IDictionary<string, string?> extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["Rtmp:Port"] = ports[0].ToString(),
            ["Http:Port"] = ports[1].ToString(),
            ["Api:Port"] = ports[2].ToString(),
            ["Management:Port"] = ports[3].ToString(),
            ["Cluster:Port"] = ports[4].ToString(),
            ["Cluster:MediaPort"] = ports.Length > 5 ? ports[5].ToString() : "0",
            ["Storage:Root"] = root,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        return values;
    }

    /// <summary>
    /// Builds a node (without starting it) on settings that must be refused, on ports that cannot clash,
    /// and returns the refusal; <paramref name="settings"/> go on top of those ports and a storage folder.
    /// </summary>
    internal static StartupException StartRefused(IDictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Rtmp:Port"] = "0",
            ["Http:Port"] = "0",
            ["Api:Port"] = "0",
            ["Management:Port"] = "0",
            ["Cluster:Port"] = "0",
            ["Storage:Root"] = Path.GetTempPath(),
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return Assert.Throws<StartupException>(() => PlatformHost.Build([], c => c.AddInMemoryCollection(values)));
    }

    internal static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        for (var i = 0; i < count; i++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            listeners.Add(listener);
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
