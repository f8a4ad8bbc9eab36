using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Platform.Media.Flv;

namespace Platform.Workers.Tests.Sources.Pull;

/// <summary>
/// A tiny HTTP/1.1 server over a TCP listener: for each request it runs the test's script with an
/// <see cref="Exchange"/> that writes the status line, headers and body bytes as the test wants (a body without a
/// length ends when the script returns and the connection closes).
/// </summary>
public sealed class FakeHttpFlvSource(Func<FakeHttpFlvSource.Exchange, CancellationToken, Task> onRequest) : LoopbackServer
{
    /// <summary>The request lines (method, target, version) in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}/{path}");

    public sealed class Exchange(string target, Stream stream)
    {
        public string Target { get; } = target;

        /// <summary>A status line and headers; without a Content-Length the body ends when the connection closes.</summary>
        public Task HeadAsync(int status, string reason, params string[] headers) =>
            WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n"));

        public Task FlvHeadAsync() => HeadAsync(200, "OK", "Content-Type: video/x-flv");

        public Task FileHeaderAsync()
        {
            var header = new byte[FlvWriter.FileHeaderLength];
            FlvWriter.WriteFileHeader(header, hasAudio: true, hasVideo: true);
            return WriteAsync(header);
        }

        public Task TagAsync(FlvTagType type, uint timestamp, byte[] payload)
        {
            var output = new ArrayBufferWriter<byte>();
            FlvWriter.WriteTag(output, type, timestamp, payload);
            return WriteAsync(output.WrittenSpan.ToArray());
        }

        public async Task WriteAsync(byte[] bytes)
        {
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();
        }
    }

    protected override async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = await ReadHeadAsync(stream, stopping);
        var requestLine = head[..head.IndexOf("\r\n", StringComparison.Ordinal)];
        Requests.Enqueue(requestLine);
        await onRequest(new Exchange(requestLine.Split(' ')[1], stream), stopping);
        socket.Shutdown(SocketShutdown.Both);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer, token) == 0 || head.Length > 16 * 1024)
            {
                throw new IOException("no request");
            }

            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }
}
