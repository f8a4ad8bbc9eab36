using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Platform.Api.Hooks;

/// <summary>How one hook call ended.</summary>
public enum HookOutcome
{
    /// <summary>HTTP 200/201 with <c>0</c> or <c>{"code":0}</c>.</summary>
    Accepted,

    /// <summary>The server answered, but not with a "yes" (another status or body).</summary>
    Rejected,

    /// <summary>No answer within <c>Hooks:Timeout</c>.</summary>
    TimedOut,

    /// <summary>No answer: refused, unreachable, reset, TLS or protocol error.</summary>
    Failed,

    /// <summary>The caller gave up (the client left, or the node is stopping).</summary>
    Canceled,
}

/// <summary>One hook call's result: outcome, HTTP status when there was an answer, why, and how long it took.</summary>
public readonly record struct HookCallResult(HookAction Action, Uri Url, HookOutcome Outcome, int? Status, string Detail, TimeSpan Elapsed)
{
    public bool Accepted => Outcome == HookOutcome.Accepted;

    /// <summary>Whether the server answered with 200/201 (so a notification was received and is not sent again).</summary>
    public bool Delivered => Status is 200 or 201;
}

/// <summary>
/// Performs hook calls: the one place an HTTP callback is made (POST of the JSON body, bounded by a
/// timeout, answer judged by <see cref="HookResponse"/>), so that every call can be measured here. One
/// shared <see cref="HttpClient"/> whose connection pool lets a slow hook server hold only its own calls.
/// </summary>
public sealed class HookClient : IDisposable
{
    private readonly HttpClient _http;

    public HookClient()
    {
        var handler = new SocketsHttpHandler
        {
            // Many streams may wait on one slow hook server at once; each call has its own connection.
            MaxConnectionsPerServer = 4096,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            // Like SRS: hooks are called directly, and a redirect is an answer, not a "yes".
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = HookResponse.MaxBodyBytes,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Platform", "0.1"));
    }

    /// <summary>Posts <paramref name="body"/> to <paramref name="url"/>; never throws (a failure is an outcome).</summary>
    public async Task<HookCallResult> PostAsync(HookAction action, Uri url, string body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var name = action.SrsName();
        using var span = Platform.Streams.Telemetry.PlatformTelemetry.StartHookCall(name, url.ToString());
        var result = await PostCoreAsync(action, url, body, timeout, cancellationToken).ConfigureAwait(false);
        var outcome = result.Outcome.ToString().ToLowerInvariant();
        Platform.Streams.Telemetry.PlatformTelemetry.RecordHookCall(name, outcome, result.Elapsed);
        if (span is not null)
        {
            span.SetTag("platform.hook.outcome", outcome);
            if (result.Status is { } status)
            {
                span.SetTag("http.response.status_code", status);
            }

            if (result.Outcome != HookOutcome.Accepted)
            {
                span.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Detail);
            }
        }

        return result;
    }

    private async Task<HookCallResult> PostCoreAsync(HookAction action, Uri url, string body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        int? status = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            var rejection = HookResponse.Reject(status.Value, text);
            return new HookCallResult(action, url, rejection is null ? HookOutcome.Accepted : HookOutcome.Rejected, status, rejection ?? $"HTTP {status}", Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new HookCallResult(action, url, HookOutcome.Canceled, status, "canceled", Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException)
        {
            return new HookCallResult(action, url, HookOutcome.TimedOut, status, $"no answer within {timeout.TotalSeconds:0.###} s", Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException ex) when (status is not null)
        {
            // Answered, but the body could not be read in full (too large, cut short).
            return new HookCallResult(action, url, HookOutcome.Rejected, status, $"HTTP {status}, body unreadable: {ex.Message}", Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or InvalidOperationException)
        {
            return new HookCallResult(action, url, HookOutcome.Failed, status, Describe(ex), Stopwatch.GetElapsedTime(started));
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner is SocketException socket ? $"{ex.Message} ({socket.SocketErrorCode})" : inner == ex ? ex.Message : $"{ex.Message} ({inner.Message})";
    }
}
