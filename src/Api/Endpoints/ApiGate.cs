using Akka.Actor;
using Microsoft.Net.Http.Headers;
using Platform.Api.Hosting;

namespace Platform.Api.Endpoints;

/// <summary>
/// In front of every request on the API port: checks the credentials of <c>Api:Auth</c> (as they are now,
/// reloads included), answers 401 with the challenges when they are missing or wrong, and turns what the
/// routes leave bare (no such path, 405, a cluster that does not answer) into SRS-shaped errors.
/// </summary>
public sealed class ApiGate(ReloadableOptions<ApiOptions> options, NodeIdentity node, ILogger<ApiGate> log)
{
    private Current? _current;

    /// <summary>The authenticator of the current settings, rebuilt when a reload changed them.</summary>
    public ApiAuthenticator Authenticator
    {
        get
        {
            var settings = options.Current;
            var current = Volatile.Read(ref _current);
            if (current is not null && ReferenceEquals(current.Options, settings))
            {
                return current.Authenticator;
            }

            var authenticator = new ApiAuthenticator(settings.Auth);
            Volatile.Write(ref _current, new Current(settings, authenticator));
            return authenticator;
        }
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var authenticator = Authenticator;
        var result = authenticator.Check(context.Request.Headers.Authorization);
        if (result != ApiAuthResult.Allowed)
        {
            if (result == ApiAuthResult.Wrong)
            {
                log.LogWarning("API request {Method} {Path} from {Ip} refused: wrong credentials", context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress);
            }

            authenticator.Challenge(context.Response);

            await ApiEndpoints.Error(node, ApiEndpoints.ErrorUnauthorized, StatusCodes.Status401Unauthorized,
                result == ApiAuthResult.Missing ? "credentials required" : "wrong credentials").ExecuteAsync(context);
            return;
        }

        try
        {
            await next(context);
        }
        catch (AskTimeoutException ex) when (!context.Response.HasStarted)
        {
            log.LogWarning("API request {Method} {Path}: the cluster did not answer in time ({Error})", context.Request.Method, context.Request.Path, ex.Message);
            await ApiEndpoints.Error(node, ApiEndpoints.ErrorTimeout, StatusCodes.Status503ServiceUnavailable, "the cluster did not answer in time").ExecuteAsync(context);
            return;
        }

        if (context.Response.HasStarted)
        {
            return;
        }

        if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed)
        {
            await ApiEndpoints.Error(node, ApiEndpoints.ErrorMethodNotAllowed, StatusCodes.Status405MethodNotAllowed,
                $"{context.Request.Method} is not allowed on {context.Request.Path}").ExecuteAsync(context);
        }
        else if (context.Response.StatusCode == StatusCodes.Status404NotFound && context.GetEndpoint() is null)
        {
            await ApiEndpoints.Error(node, ApiEndpoints.ErrorNoSuchApi, StatusCodes.Status404NotFound, $"no API at {context.Request.Path}").ExecuteAsync(context);
        }
    }

    private sealed record Current(ApiOptions Options, ApiAuthenticator Authenticator);
}
