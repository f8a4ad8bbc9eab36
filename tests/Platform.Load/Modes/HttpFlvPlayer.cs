using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Platform.Media.Flv;
using Platform.Media.Rtmp;

namespace Platform.Load.Modes;

/// <summary>An HTTP-FLV player: GET the URL, then parse the FLV stream with <see cref="FlvReader"/>.</summary>
public sealed class HttpFlvPlayer : Player
{
    private const int MaxTagSize = 16 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly ReadPacer? _pacer;
    private long _bytes;

    public HttpFlvPlayer(int index, HttpClient http, Uri url, ReadPacer? pacer)
        : base(index)
    {
        _http = http;
        _url = url;
        _pacer = pacer;
    }

    public override long Bytes => Volatile.Read(ref _bytes);

    /// <summary>One client for every player: no per-server connection limit, no timeout on the stream.</summary>
    public static HttpClient CreateClient(TimeSpan connectTimeout) =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            MaxConnectionsPerServer = int.MaxValue,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    protected override async Task PlayAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _url);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Connected = true;
        Trace($"HTTP {(int)response.StatusCode}, {response.Content.Headers.ContentType}, chunked {response.Headers.TransferEncodingChunked}");
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP status {(int)response.StatusCode}", null, response.StatusCode);
        }

        Playing = true;
        LastReceiveTicks = Stopwatch.GetTimestamp();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var input = PipeReader.Create(body, new StreamPipeReaderOptions(
            bufferSize: 32 * 1024, minimumReadSize: 4 * 1024));
        try
        {
            var headerRead = false;
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                LastReceiveTicks = Stopwatch.GetTimestamp();
                var consumed = Parse(buffer, ref headerRead);
                input.AdvanceTo(consumed, buffer.End);
                if (result.IsCompleted)
                {
                    throw new EndOfStreamException("server ended the HTTP-FLV response");
                }

                if (_pacer is not null)
                {
                    await _pacer.NextTick;
                }
            }
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    private SequencePosition Parse(in ReadOnlySequence<byte> buffer, ref bool headerRead)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!headerRead && !(headerRead = FlvReader.TryReadFileHeader(ref reader, out _)))
        {
            return reader.Position;
        }

        while (FlvReader.TryReadTag(ref reader, MaxTagSize, out var tag))
        {
            OnMedia((RtmpMessageType)tag.Type, tag.Timestamp, tag.Data);
        }

        Interlocked.Add(ref _bytes, reader.Consumed);
        return reader.Position;
    }
}
