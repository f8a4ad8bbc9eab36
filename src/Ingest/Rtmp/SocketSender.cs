using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Platform.Ingest.Rtmp;

/// <summary>
/// A reusable gathered send: the batch's shared buffers go to the kernel in one <c>sendmsg</c> without
/// being copied into a per-connection buffer, and without allocating per send. One send at a time.
/// </summary>
internal sealed class SocketSender : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _source = new() { RunContinuationsAsynchronously = true };

    public SocketSender() : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends every byte of <paramref name="buffers"/>; returns the bytes sent.</summary>
    public async ValueTask<int> SendAsync(Socket socket, List<ArraySegment<byte>> buffers)
    {
        long total = 0;
        foreach (var buffer in buffers)
        {
            total += buffer.Count;
        }

        var sent = 0L;
        while (sent < total)
        {
            var n = await SendOnceAsync(socket, buffers);
            sent += n;
            if (sent < total)
            {
                // A partial send (rare on blocking-semantics stream sockets): drop what went out.
                Skip(buffers, n);
            }
        }

        return (int)sent;
    }

    private ValueTask<int> SendOnceAsync(Socket socket, List<ArraySegment<byte>> buffers)
    {
        _source.Reset();
        BufferList = buffers;
        if (socket.SendAsync(this))
        {
            return new ValueTask<int>(this, _source.Version);
        }

        var result = Complete();
        return result.Error is { } error ? ValueTask.FromException<int>(error) : ValueTask.FromResult(result.Bytes);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        var (bytes, error) = Complete();
        if (error is not null)
        {
            _source.SetException(error);
        }
        else
        {
            _source.SetResult(bytes);
        }
    }

    private (int Bytes, Exception? Error) Complete()
    {
        var bytes = BytesTransferred;
        var error = SocketError;
        BufferList = null;
        return error == SocketError.Success ? (bytes, null) : (0, new SocketException((int)error));
    }

    private static void Skip(List<ArraySegment<byte>> buffers, int count)
    {
        while (count > 0 && buffers.Count > 0)
        {
            var first = buffers[0];
            if (first.Count <= count)
            {
                count -= first.Count;
                buffers.RemoveAt(0);
            }
            else
            {
                buffers[0] = first.Slice(count);
                count = 0;
            }
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);
}
