using System.Net.Sockets;

namespace Platform.EndToEnd.Tests.Sources.Peers;

/// <summary>
/// nginx with Debian's RTMP module (<c>nginx</c>, <c>libnginx-mod-rtmp</c>) as the current user, from a temp
/// prefix with a generated configuration: one process (<c>master_process off</c>, <c>daemon off</c>) listening
/// on a free loopback port, with <c>application live { live on; }</c> (publish and play) and whatever
/// applications a test adds. Its error log and pid stay in the temp folder, which disposing removes.
/// </summary>
public sealed class NginxRtmp : IAsyncDisposable
{
    private const string Nginx = "/usr/sbin/nginx";
    private const string Module = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
    private readonly PeerProcess _process;

    private NginxRtmp(PeerProcess process, string folder, int port)
    {
        _process = process;
        Folder = folder;
        RtmpPort = port;
    }

    public int RtmpPort { get; }

    /// <summary>The prefix folder: <c>nginx.conf</c>, <c>error.log</c>, <c>nginx.pid</c>.</summary>
    public string Folder { get; }

    /// <summary>nginx's error log (info level: connections, publishes, plays).</summary>
    public string ErrorLog => ReadLog(Folder);

    /// <summary><c>rtmp://127.0.0.1:PORT/app/stream</c>.</summary>
    public string Url(string app, string stream) => $"rtmp://127.0.0.1:{RtmpPort}/{app}/{stream}";

    /// <summary>
    /// Starts nginx-rtmp on a free port and returns once it answers an RTMP handshake.
    /// <paramref name="applications"/> is more configuration for the <c>server</c> block (other applications).
    /// </summary>
    public static async Task<NginxRtmp> StartAsync(string applications = "")
    {
        if (!File.Exists(Nginx) || !File.Exists(Module))
        {
            throw new InvalidOperationException($"{Nginx} or {Module} is missing: install nginx and libnginx-mod-rtmp (scripts/test.sh does)");
        }

        // A port found free can be taken before nginx binds it: another one then.
        for (var attempt = 1; ; attempt++)
        {
            var folder = Path.Combine(Path.GetTempPath(), "platform-nginx-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            var port = TestServer.FreePorts(1)[0];
            var config = Path.Combine(folder, "nginx.conf");
            await File.WriteAllTextAsync(config, Configuration(folder, port, applications));
            var process = await PeerProcess.StartAsync("nginx-rtmp", Nginx, ["-p", folder + "/", "-c", config, "-e", Path.Combine(folder, "error.log")]);
            try
            {
                await process.WaitReadyAsync(() => AnswersHandshakeAsync(port), TimeSpan.FromSeconds(15), $"RTMP handshake on 127.0.0.1:{port}", () => ReadLog(folder));
                return new NginxRtmp(process, folder, port);
            }
            catch (InvalidOperationException) when (attempt < 3 && ReadLog(folder).Contains("Address already in use", StringComparison.Ordinal))
            {
                await process.DisposeAsync();
                DeleteFolder(folder);
            }
            catch
            {
                await process.DisposeAsync();
                DeleteFolder(folder);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        DeleteFolder(Folder);
    }

    private static string Configuration(string folder, int port, string applications) => $$"""
        load_module {{Module}};
        daemon off;
        master_process off;
        worker_processes 1;
        pid {{folder}}/nginx.pid;
        error_log {{folder}}/error.log info;
        events { worker_connections 1024; }
        rtmp {
            server {
                listen 127.0.0.1:{{port}};
                chunk_size 4096;
                application live {
                    live on;
                    record off;
                }
        {{applications}}
            }
        }
        """;

    /// <summary>C0+C1 out, S0+S1+S2 back with RTMP version 3.</summary>
    private static async Task<bool> AnswersHandshakeAsync(int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        var stream = client.GetStream();
        var c0c1 = new byte[1 + 1536];
        c0c1[0] = 3;
        Random.Shared.NextBytes(c0c1.AsSpan(9));
        await stream.WriteAsync(c0c1, timeout.Token);
        var answer = new byte[1 + 1536 + 1536];
        await stream.ReadExactlyAsync(answer, timeout.Token);
        return answer[0] == 3;
    }

    private static string ReadLog(string folder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, "error.log"));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
