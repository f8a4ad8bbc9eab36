using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.EndToEnd.Tests.Hooks;

/// <summary>One request a hook server received.</summary>
public sealed record HookCall(string Path, string Body, DateTime At)
{
    public JsonElement Json { get; } = JsonDocument.Parse(Body).RootElement.Clone();

    public string Action => Json.GetProperty("action").GetString()!;

    public string Field(string name) => Json.GetProperty(name).ValueKind == JsonValueKind.String
        ? Json.GetProperty(name).GetString()!
        : Json.GetProperty(name).GetRawText();

    public string[] FieldNames => [.. Json.EnumerateObject().Select(p => p.Name)];
}

/// <summary>
/// An operator's hook server on loopback (Kestrel on a free port): records every POST and answers as its
/// path says (<c>/ok</c> 0, <c>/ok-json</c> {"code":0}, <c>/deny</c> 1, <c>/500</c>, <c>/garbage</c>,
/// <c>/hang</c> never), or as a handler set with <see cref="On"/>; any other path answers 0.
/// </summary>
public sealed class HookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<HookCall> _calls = new();
    private readonly ConcurrentDictionary<string, Func<HookCall, CancellationToken, Task<(int Status, string Body)>>> _handlers = new();

    private HookServer(WebApplication app)
    {
        _app = app;
    }

    public int Port { get; private set; }

    public IReadOnlyList<HookCall> Calls => [.. _calls];

    public static async Task<HookServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new HookServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Port = new Uri(address).Port;
        return server;
    }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Answers requests to <paramref name="path"/> with <paramref name="handler"/>.</summary>
    public void On(string path, Func<HookCall, CancellationToken, Task<(int Status, string Body)>> handler) => _handlers[path] = handler;

    public IReadOnlyList<HookCall> CallsTo(string path) => [.. _calls.Where(c => c.Path == path)];

    public IReadOnlyList<HookCall> Actions(string action) => [.. _calls.Where(c => c.Action == action)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var call = new HookCall(context.Request.Path.Value ?? "/", body, DateTime.UtcNow);
        _calls.Enqueue(call);
        var (status, answer) = _handlers.TryGetValue(call.Path, out var handler)
            ? await handler(call, context.RequestAborted)
            : call.Path switch
            {
                "/ok-json" => (200, "{\"code\": 0, \"data\": null}"),
                "/deny" => (200, "1"),
                "/500" => (500, "0"),
                "/garbage" => (200, "<html>no</html>"),
                "/hang" => await HangAsync(context.RequestAborted),
                _ => (200, "0"),
            };
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(answer, context.RequestAborted);
    }

    private static async Task<(int, string)> HangAsync(CancellationToken aborted)
    {
        await Task.Delay(TimeSpan.FromSeconds(60), aborted);
        return (200, "0");
    }

    /// <summary>A loopback URL where nothing listens (the connection is refused).</summary>
    public static string RefusedUrl()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/hook";
    }
}
