using System.Buffers;
using System.Diagnostics;
using Platform.Media.Rtmp;

namespace Platform.Load;

/// <summary>
/// Sends a <see cref="FlvFileSource"/> over a publishing <see cref="RtmpClient"/> in real time (like
/// <c>ffmpeg -re</c>), looping it with timestamps that keep increasing: headers (metadata, sequence headers)
/// go once, at the start. Meanwhile it reads what the server sends (acknowledgements, pings, statuses): a
/// server that closes the connection ends the run with its error.
/// </summary>
public sealed class Publisher
{
    private static readonly Func<RtmpMessageHeader, ReadOnlySequence<byte>, bool> IgnoreMessage = static (_, _) => true;

    private readonly RtmpClient _client;
    private readonly FlvFileSource _source;
    private long _tagsSent;
    private long _payloadBytesSent;
    private int _loops;
    private long _mediaTime;

    public Publisher(RtmpClient client, FlvFileSource source)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(source);
        _client = client;
        _source = source;
    }

    public long TagsSent => Interlocked.Read(ref _tagsSent);

    public long PayloadBytesSent => Interlocked.Read(ref _payloadBytesSent);

    /// <summary>Completed passes over the file.</summary>
    public int Loops => Volatile.Read(ref _loops);

    /// <summary>Timestamp of the last tag sent, in milliseconds since the start.</summary>
    public long MediaTime => Interlocked.Read(ref _mediaTime);

    /// <summary>
    /// Publishes until cancelled (throws <see cref="OperationCanceledException"/>) or, with
    /// <paramref name="maxMediaMs"/>, until that much media and at least one key frame were sent (returns).
    /// </summary>
    public async Task RunAsync(long? maxMediaMs = null, CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = ReceiveUntilStoppedAsync(stop);
        try
        {
            await SendAsync(maxMediaMs, stop.Token);
        }
        catch (OperationCanceledException) when (receive.IsFaulted)
        {
            // The server ended the connection: report that rather than the cancellation it caused.
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await receive;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task ReceiveUntilStoppedAsync(CancellationTokenSource stop)
    {
        try
        {
            await _client.ReceiveAsync(IgnoreMessage, stop.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task SendAsync(long? maxMediaMs, CancellationToken cancellationToken)
    {
        var tags = _source.Tags;
        var loopLength = (long)_source.Duration;
        var started = Stopwatch.GetTimestamp();
        var sentKeyFrame = false;
        for (long offset = 0; ; offset += loopLength)
        {
            for (var i = 0; i < tags.Count; i++)
            {
                var tag = tags[i];
                if (tag.IsHeader && offset > 0)
                {
                    continue;
                }

                var due = offset + tag.Timestamp;
                if (maxMediaMs is { } max && due >= max && sentKeyFrame)
                {
                    return;
                }

                var wait = due - (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
                }

                await _client.WriteMediaAsync(tag.Type, unchecked((uint)due), tag.Payload, cancellationToken);
                sentKeyFrame |= tag.IsKeyFrame;
                Interlocked.Increment(ref _tagsSent);
                Interlocked.Add(ref _payloadBytesSent, tag.Payload.Length);
                Interlocked.Exchange(ref _mediaTime, due);
            }

            Interlocked.Increment(ref _loops);
        }
    }
}
