namespace Platform.EndToEnd.Tests;

/// <summary>
/// The node as a real process (<c>dotnet Platform.Api.dll</c>, the build output this project references),
/// configured on the command line like an operator would, so that a test can kill it without warning.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Ffmpeg _process;

    private ServerProcess(Ffmpeg process, int rtmp, int api, int management)
    {
        _process = process;
        RtmpPort = rtmp;
        ApiPort = api;
        ManagementPort = management;
    }

    public int RtmpPort { get; }

    public int ApiPort { get; }

    public int ManagementPort { get; }

    public string Output => _process.Stdout + _process.Stderr;

    public string Rtmp(string path) => $"rtmp://127.0.0.1:{RtmpPort}/{path}";

    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?> settings, string storageRoot)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Platform.Api.dll");
        Assert.True(File.Exists(dll), $"{dll} is not in the test's output");
        var ports = TestServer.FreePorts(5);
        var values = TestServer.NodeSettings(ports, storageRoot, settings);

        var process = Ffmpeg.Start("dotnet", [dll, .. values.Select(v => $"--{v.Key}={v.Value}")]);
        var server = new ServerProcess(process, ports[0], ports[2], ports[3]);
        try
        {
            using var http = new HttpClient();
            await Eventually.TrueAsync(async () =>
            {
                Assert.False(process.HasExited, $"the node exited at start: {server.Output}");
                return (await http.GetAsync($"http://127.0.0.1:{ports[3]}/ready")).IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), "node process ready");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: the process gets no chance to close or finalize anything.</summary>
    public void Kill() => _process.Kill();

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
