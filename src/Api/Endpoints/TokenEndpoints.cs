using System.Globalization;
using System.Text.Json;
using Platform.Api.Hosting;
using Platform.Api.Security;
using Platform.Streams;
using Platform.Streams.Security;

namespace Platform.Api.Endpoints;

/// <summary><c>POST /api/v1/tokens</c>: signs a URL for a stream with the configured secret (see README, Stream security).</summary>
public static class TokenEndpoints
{
    /// <summary>No token could be made (bad parameters, no rule or no secret for the stream); the reason is in the body.</summary>
    public const int ErrorTokenRefused = 5100;

    private const int MaxBodyBytes = 16 * 1024;

    public static void MapTokenEndpoints(this IEndpointRouteBuilder routes) => routes.MapPost("/api/v1/tokens", MintAsync);

    private static async Task<IResult> MintAsync(HttpContext http, NodeIdentity node, SecurityRules rules, PlatformOptions options, TimeProvider time)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in http.Request.Query)
        {
            values[key] = value.ToString();
        }

        var body = await ReadBodyAsync(http, values);
        if (body is not null)
        {
            return Refuse(node, body);
        }

        if (!values.TryGetValue("app", out var app) || !values.TryGetValue("stream", out var stream))
        {
            return Refuse(node, "app and stream are required");
        }

        if (!values.TryGetValue("action", out var actionText))
        {
            return Refuse(node, "action is required (publish or play)");
        }

        if (!StreamToken.TryParseAction(actionText, out var action))
        {
            return Refuse(node, $"unknown action '{actionText}' (allowed: publish, play)");
        }

        var ttl = 3600L;
        if (values.TryGetValue("ttl", out var ttlText) && !long.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out ttl))
        {
            return Refuse(node, $"ttl '{ttlText}' is not a number of seconds");
        }

        var vhost = values.TryGetValue("vhost", out var v) && v.Length > 0 && v != "default" ? v : StreamKey.DefaultVhost;
        var minted = rules.Current.Mint(action, new StreamKey(vhost, app, stream), ttl, time.GetUtcNow().ToUnixTimeSeconds(), out var error);
        if (minted is null)
        {
            return Refuse(node, error);
        }

        var host = values.TryGetValue("host", out var h) && h.Length > 0 ? h
            : !string.IsNullOrWhiteSpace(options.Http.PublicHost) ? options.Http.PublicHost.Trim()
            : http.Request.Host.Host;
        return ApiEndpoints.Envelope(node, new Dictionary<string, object?>
        {
            ["data"] = new
            {
                vhost = minted.Stream.Vhost,
                app = minted.Stream.App,
                stream = minted.Stream.Stream,
                action = StreamToken.ActionName(minted.Action),
                token = minted.Token,
                expires = minted.Expires,
                query = minted.Query,
                urls = TokenUrls.For(minted, host, options.Rtmp.Port, options.Http.Port),
            },
        });
    }

    /// <summary>Adds the fields of a JSON object body (they win over the query); returns a problem, or null.</summary>
    private static async Task<string?> ReadBodyAsync(HttpContext http, Dictionary<string, string> values)
    {
        var request = http.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.HasJsonContentType()))
        {
            return null;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return $"the body is over {MaxBodyBytes} bytes";
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return $"the body is over {MaxBodyBytes} bytes";
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(buffer.ToArray());
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "the body must be a JSON object";
            }

            foreach (var property in json.RootElement.EnumerateObject())
            {
                values[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => throw new JsonException($"{property.Name} must be a string or a number"),
                };
            }
        }
        catch (JsonException ex)
        {
            return $"the body is not valid JSON: {ex.Message}";
        }

        return null;
    }

    /// <summary>The SRS envelope with an error code and the reason.</summary>
    private static IResult Refuse(NodeIdentity node, string reason) =>
        ApiEndpoints.Error(node, ErrorTokenRefused, StatusCodes.Status400BadRequest, reason);
}
