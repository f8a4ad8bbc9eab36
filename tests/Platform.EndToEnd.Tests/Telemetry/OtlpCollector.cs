using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.EndToEnd.Tests.Telemetry;

/// <summary>A loopback OTLP/HTTP receiver that keeps every request body it gets, by path.</summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpCollector(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public ConcurrentQueue<(string Path, string ContentType, byte[] Body)> Requests { get; } = new();

    public static async Task<OtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        OtlpCollector? collector = null;
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            collector!.Requests.Enqueue((context.Request.Path.Value ?? string.Empty, context.Request.ContentType ?? string.Empty, body.ToArray()));

            // An empty Export*ServiceResponse: success.
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        collector = new OtlpCollector(app, address);
        return collector;
    }

    public IReadOnlyList<byte[]> Bodies(string path) => [.. Requests.Where(r => r.Path == path).Select(r => r.Body)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Just enough protobuf to read OTLP requests: walks length-delimited fields along a path of field numbers
/// and returns the strings found there (span names, metric names, attribute keys).
/// </summary>
public static class Protobuf
{
    public static List<string> Strings(byte[] message, params int[] path) =>
        [.. Messages(message, path).Select(m => Encoding.UTF8.GetString(m))];

    /// <summary>The raw length-delimited values at <paramref name="path"/> (sub-messages, strings, bytes).</summary>
    public static List<byte[]> Messages(byte[] message, params int[] path)
    {
        var found = new List<byte[]>();
        Walk(message, path, 0, found);
        return found;
    }

    private static void Walk(ReadOnlySpan<byte> message, int[] path, int depth, List<byte[]> found)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message, ref position);
            var field = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    ReadVarint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    var value = message.Slice(position, length);
                    position += length;
                    if (field == path[depth])
                    {
                        if (depth == path.Length - 1)
                        {
                            found.Add(value.ToArray());
                        }
                        else
                        {
                            Walk(value, path, depth + 1, found);
                        }
                    }

                    break;
                default:
                    throw new FormatException($"wire type {wire} at {position}");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("varint too long");
    }
}
