using System.Net.Http.Json;
using System.Text.Json;
using Platform.Streams.Security;
using Platform.Workers.Rules;

namespace Platform.Workers.Engines;

/// <summary>
/// Asks a rule's <c>EngineBackend</c> whether an engine runs for a stream: POST the stream and the engine,
/// read <c>{"code":0,"data":{"engines":[...]}}</c>. Any other answer, an error or a timeout is a "no" with
/// its reason (the worker asks again later).
/// </summary>
public static class EngineBackend
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<(bool Run, string Reason)> AskAsync(EngineSettings engine, string url)
    {
        var body = new
        {
            action = "on_engine",
            vhost = engine.Source.Vhost,
            app = engine.Source.App,
            stream = engine.Source.Stream,
            engine = engine.Name,
            output = engine.Output.ToString(),
            lineage = engine.OutputLineage.Take(engine.OutputLineage.Count - 1).Select(l => new { source = l.Source.ToString(), engine = l.Engine }),
        };
        using var timeout = new CancellationTokenSource(Timeout);
        var shown = LogText.Redacted(url);
        try
        {
            using var answer = await BackendHttp.Client.PostAsJsonAsync(url, body, timeout.Token).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode)
            {
                return (false, $"backend {shown} answered HTTP {(int)answer.StatusCode}");
            }

            return Decide(await answer.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false), engine.Name, url);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return (false, $"backend {shown} did not answer: {ex.Message}");
        }
    }

    /// <summary>The decision an answer carries for <paramref name="engine"/> (pure).</summary>
    public static (bool Run, string Reason) Decide(string answer, string engine, string url)
    {
        url = LogText.Redacted(url);
        try
        {
            using var json = JsonDocument.Parse(answer);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || code.GetInt32() != 0)
            {
                return (false, $"backend {url} refused: {Truncate(answer)}");
            }

            var chosen = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("engines", out var engines) && engines.ValueKind == JsonValueKind.Array
                && engines.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.GetString() == engine);
            return chosen ? (true, $"chosen by backend {url}") : (false, $"not chosen by backend {url}");
        }
        catch (JsonException)
        {
            return (false, $"backend {url} answered something that is not JSON: {Truncate(answer)}");
        }
    }

    private static string Truncate(string text) => BackendHttp.Shown(text, 200);
}
