using System.Net.Http.Headers;
using Platform.Streams.Security;

namespace Platform.Workers;

/// <summary>
/// What the workers' business backends share (an engine's <c>EngineBackend</c>, a forward's <c>on_forward</c>):
/// one HTTP client that follows no redirect, uses no proxy or cookies and reads at most
/// <see cref="MaxAnswerBytes"/> of an answer, the check of a backend URL, and an answer shown in a reason.
/// </summary>
public static class BackendHttp
{
    /// <summary>An answer larger than this is not read.</summary>
    public const int MaxAnswerBytes = 64 * 1024;

    private static readonly Lazy<HttpClient> Shared = new(() =>
    {
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false })
        {
            // Each call bounds its own time.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxAnswerBytes,
        };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Platform", "0.1"));
        return http;
    });

    public static HttpClient Client => Shared.Value;

    /// <summary>Why <paramref name="backend"/> is not a backend's URL (http or https, with a host), or null.</summary>
    public static string? UrlProblem(string backend) =>
        Uri.TryCreate(backend.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
            ? null
            : $"'{LogText.Redacted(backend)}' is not an http:// or https:// URL";

    /// <summary>The start of an answer, safe for a reason or a log line; <c>…</c> marks a cut.</summary>
    public static string Shown(string body, int length) =>
        LogText.Printable(body.Length > length ? body[..length] + "…" : body);
}
