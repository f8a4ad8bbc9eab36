using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Platform.Media.Flv;

namespace Platform.Sources.Pull;

/// <summary>
/// Reads one HTTP-FLV stream: a GET (a few redirects, no cookies, no proxy), the FLV header checked, then every
/// tag, bounded in size before it is buffered, handed on as the media link does with the tags it reads.
/// </summary>
internal static class HttpFlvPuller
{
    private const int MaxRedirects = 3;

    private static readonly Lazy<HttpClient> Shared = new(() =>
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = MaxRedirects,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Platform", "0.1"));
        return http;
    });

    public static async Task RunAsync(Uri url, PullSession session, PullOptions options, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(url, session, options, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            throw new SourceNotFoundException($"{session.Source}: HTTP {(int)response.StatusCode} ({response.ReasonPhrase})");
        }

        response.EnsureSuccessStatusCode();
        session.Start();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var input = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        try
        {
            var headerRead = false;
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(session.ReadToken());
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException && session.Stalled)
                {
                    throw session.StallError();
                }

                var consumed = Consume(result.Buffer, ref headerRead, session, options.MaxMessageLength);
                input.AdvanceTo(consumed, result.Buffer.End);
                if (result.IsCompleted)
                {
                    session.Ended("the source ended the answer");
                    return;
                }
            }
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    /// <summary>The answer's headers, within the connect timeout.</summary>
    private static async Task<HttpResponseMessage> GetAsync(Uri url, PullSession session, PullOptions options, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ConnectTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        try
        {
            return await Shared.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{session.Source}: no answer within {options.ConnectTimeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Parses the header (once) and every complete tag, Kestrel style; returns how far it consumed.</summary>
    private static SequencePosition Consume(in ReadOnlySequence<byte> buffer, ref bool headerRead, PullSession session, int maxTag)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (headerRead || (headerRead = FlvReader.TryReadFileHeader(ref reader, out _)))
        {
            while (FlvReader.TryReadTag(ref reader, maxTag, out var tag))
            {
                session.DeliverTag(tag.Type, tag.Timestamp, tag.Data);
            }
        }

        session.Received(reader.Consumed);
        return reader.Position;
    }
}
