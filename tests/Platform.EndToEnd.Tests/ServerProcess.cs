namespace Platform.EndToEnd.Tests;

/// <summary>
/// The node as a real process (<c>dotnet Platform.Api.dll</c>, the build output this project references),
/// configured on the command line like an operator would, so that a test can kill it without warning.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Ffmpeg _process;

    private ServerProcess(Ffmpeg process, int[] ports, string storageRoot)
    {
        _process = process;
        StorageRoot = storageRoot;
        RtmpPort = ports[0];
        HttpPort = ports[1];
        ApiPort = ports[2];
        ManagementPort = ports[3];
        ClusterPort = ports[4];
        MediaPort = ports[5];
    }

    public int RtmpPort { get; }

    /// <summary>The node's <c>Storage:Root</c> (its recordings, HLS files and data).</summary>
    public string StorageRoot { get; }

    public int HttpPort { get; }

    public int ClusterPort { get; }

    public int MediaPort { get; }

    /// <summary>The node's Akka address, as the cluster API names it.</summary>
    public string Address => $"akka.tcp://platform@127.0.0.1:{ClusterPort}";

    public string Http(string path) => $"http://127.0.0.1:{HttpPort}/{path}";

    public string Api(string path) => $"http://127.0.0.1:{ApiPort}{path}";

    public int ApiPort { get; }

    public int ManagementPort { get; }

    public string Output => _process.Stdout + _process.Stderr;

    public string Rtmp(string path) => $"rtmp://127.0.0.1:{RtmpPort}/{path}";

    /// <param name="ports">RTMP, HTTP, API, management, cluster and media ports; free ones when null.</param>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?> settings, string storageRoot, int[]? ports = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Platform.Api.dll");
        Assert.True(File.Exists(dll), $"{dll} is not in the test's output");
        ports ??= TestServer.FreePorts(6);
        var values = TestServer.NodeSettings(ports, storageRoot, settings);

        var process = Ffmpeg.Start("dotnet", [dll, .. values.Select(v => $"--{v.Key}={v.Value}")]);
        var server = new ServerProcess(process, ports, storageRoot);
        try
        {
            using var http = new HttpClient();
            await Eventually.TrueAsync(async () =>
            {
                Assert.False(process.HasExited, $"the node exited at start: {server.Output}");
                return (await http.GetAsync($"http://127.0.0.1:{ports[3]}/ready")).IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(90), "node process ready");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGTERM: the node stops as an operator's stop would (it leaves the cluster).</summary>
    public void Terminate()
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: the process gets no chance to close or finalize anything.</summary>
    public void Kill() => _process.Kill();

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts a node without waiting for it to be ready (nodes that form a cluster together wait for each other).</summary>
    public static ServerProcess Launch(IDictionary<string, string?> settings, string storageRoot, int[] ports)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Platform.Api.dll");
        return new ServerProcess(Ffmpeg.Start("dotnet", [dll, .. TestServer.NodeSettings(ports, storageRoot, settings).Select(v => $"--{v.Key}={v.Value}")]), ports, storageRoot);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
