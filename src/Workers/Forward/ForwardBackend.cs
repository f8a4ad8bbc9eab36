using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Platform.Streams;
using Platform.Streams.Security;

namespace Platform.Workers.Forward;

/// <summary>Who publishes the stream a backend is asked about (SRS's <c>on_forward</c> fields).</summary>
public sealed record ForwardRequest(string ServerId, string ClientId, string Ip, StreamKey Stream, string TcUrl, string Param);

/// <summary>A backend's answer: the destinations it gave (empty when none) and, when it gave none for a fault, why.</summary>
public sealed record ForwardAnswer(IReadOnlyList<string> Urls, string? Problem)
{
    public bool Failed => Problem is not null;
}

/// <summary>
/// SRS's <c>on_forward</c>: a POST of the publish's JSON, answered by <c>{"code":0,"data":{"urls":[...]}}</c>.
/// Any other code, a status other than 200, a body that is not that JSON, or no answer in time: no destinations.
/// </summary>
public static class ForwardBackend
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body SRS posts, field for field (<c>param</c> with its leading <c>?</c>).</summary>
    public static string Body(ForwardRequest request)
    {
        using var buffer = new MemoryStream(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("action", "on_forward");
            w.WriteString("server_id", request.ServerId);
            w.WriteString("client_id", request.ClientId);
            w.WriteString("ip", request.Ip);
            w.WriteString("vhost", request.Stream.Vhost);
            w.WriteString("app", request.Stream.App);
            w.WriteString("tcUrl", request.TcUrl);
            w.WriteString("stream", request.Stream.Stream);
            w.WriteString("param", request.Param.Length > 0 && request.Param[0] != '?' ? "?" + request.Param : request.Param);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads an answer of HTTP status <paramref name="status"/>.</summary>
    public static ForwardAnswer Parse(int status, string body)
    {
        if (status != 200)
        {
            return new ForwardAnswer([], $"HTTP {status}");
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number)
            {
                return new ForwardAnswer([], $"answer has no numeric code: {Shown(body)}");
            }

            if (!code.TryGetInt64(out var value) || value != 0)
            {
                return new ForwardAnswer([], $"code {code.GetRawText()}");
            }

            var urls = new List<string>();
            if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("urls", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var url in list.EnumerateArray())
                {
                    if (url.ValueKind == JsonValueKind.String && url.GetString() is { Length: > 0 } text)
                    {
                        urls.Add(text);
                    }
                }
            }

            return new ForwardAnswer(urls, null);
        }
        catch (JsonException)
        {
            return new ForwardAnswer([], $"answer is not JSON: {Shown(body)}");
        }
    }

    /// <summary>Asks <paramref name="backend"/>; never throws but for cancellation (a failure is an answer with no destinations).</summary>
    public static async Task<ForwardAnswer> AskAsync(Uri backend, ForwardRequest request, CancellationToken cancellationToken, HttpClient? http = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var content = new StringContent(Body(request), Encoding.UTF8, "application/json");
            using var response = await (http ?? BackendHttp.Client).PostAsync(backend, content, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return Parse((int)response.StatusCode, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ForwardAnswer([], $"no answer within {Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            return new ForwardAnswer([], ex.Message);
        }
    }

    private static string Shown(string body) => BackendHttp.Shown(body, 120);
}
