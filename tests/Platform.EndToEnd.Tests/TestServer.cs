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

    public string Management(string path) => $"http://127.0.0.1:{ManagementPort}{path}";

    /// <summary>Keep the storage folder when this server stops (to start another node on it).</summary>
    public void KeepStorage() => _keepStorage = true;

    /// <param name="configure">Adds configuration sources after the test settings (e.g. a JSON file that reloads).</param>
    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, string? storageRoot = null, Action<IConfigurationBuilder>? configure = null)
    {
        var root = storageRoot ?? Path.Combine(Path.GetTempPath(), "platform-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = FreePorts(5);
        var values = new Dictionary<string, string?>
        {
            ["Rtmp:Port"] = ports[0].ToString(),
            ["Http:Port"] = ports[1].ToString(),
            ["Api:Port"] = ports[2].ToString(),
            ["Management:Port"] = ports[3].ToString(),
            ["Cluster:Port"] = ports[4].ToString(),
            ["Storage:Root"] = root,
            ["Streams:IdleTimeout"] = "00:00:01",
            ["Apps:0:Hls:CleanupAfter"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Platform"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = PlatformHost.Build([], c =>
        {
            c.AddInMemoryCollection(values);
            configure?.Invoke(c);
        });
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

    private static int[] FreePorts(int count)
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
