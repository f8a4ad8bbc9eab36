using System.Text.Encodings.Web;
using System.Text.Json;
using Platform.Api.Endpoints;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Workers;

namespace Platform.Api.Hooks;

/// <summary>Who sends the hooks: SRS's <c>server_id</c> and <c>service_id</c>, and the working folder (<c>cwd</c>).</summary>
public sealed record HookNode(string ServerId, string ServiceId, string Cwd);

/// <summary>
/// The JSON bodies SRS posts to its HTTP callbacks, field for field (names, types and order of SRS 5/6,
/// plus <c>service_id</c>): strings for ids, integers for byte counts and sequence numbers, seconds as a
/// number for durations. <c>param</c> carries the leading <c>?</c> as in SRS.
/// </summary>
public static class HookBodies
{
    private static readonly JsonWriterOptions Options = new()
    {
        // Plain characters (& in a query string, non-ASCII names) as SRS sends them; still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Connect(HookNode node, ClientInfo client) => Write(w =>
    {
        Head(w, node, HookAction.OnConnect, client, client.Stream);
        w.WriteString("stream", client.Stream.Stream ?? string.Empty);
        w.WriteString("param", Param(client));
        w.WriteString("tcUrl", client.TcUrl);
        w.WriteString("pageUrl", client.PageUrl);
    });

    public static string Close(HookNode node, ClientInfo client) => Write(w =>
    {
        Head(w, node, HookAction.OnClose, client, client.Stream);
        w.WriteNumber("send_bytes", client.BytesSent);
        w.WriteNumber("recv_bytes", client.BytesReceived);
    });

    /// <summary>on_publish, on_unpublish, on_play (with <c>pageUrl</c>) and on_stop.</summary>
    public static string ForStream(HookAction action, HookNode node, ClientInfo client)
    {
        if (action is not (HookAction.OnPublish or HookAction.OnUnpublish or HookAction.OnPlay or HookAction.OnStop))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "not a stream event of a client");
        }

        return Write(w =>
        {
            Head(w, node, action, client, client.Stream);
            if (action == HookAction.OnPlay)
            {
                w.WriteString("stream", client.Stream.Stream ?? string.Empty);
                w.WriteString("tcUrl", client.TcUrl);
                w.WriteString("param", Param(client));
                w.WriteString("pageUrl", client.PageUrl);
            }
            else
            {
                w.WriteString("tcUrl", client.TcUrl);
                w.WriteString("stream", client.Stream.Stream ?? string.Empty);
                w.WriteString("param", Param(client));
            }

            StreamIds(w, client.Stream);
        });
    }

    /// <summary>on_dvr: a recording was finalized. <paramref name="publisher"/> is who published it, when known.</summary>
    public static string Dvr(HookNode node, DvrFileClosed closed, ClientInfo? publisher) => Write(w =>
    {
        Head(w, node, HookAction.OnDvr, publisher, closed.Stream);
        w.WriteString("tcUrl", publisher?.TcUrl ?? string.Empty);
        w.WriteString("stream", closed.Stream.Stream);
        w.WriteString("param", Param(publisher));
        w.WriteString("cwd", node.Cwd);
        w.WriteString("file", closed.Path);
        StreamIds(w, closed.Stream);
    });

    /// <summary>
    /// on_hls: a segment was completed. <c>m3u8_url</c> is the playlist's path on the media port
    /// (<c>app/stream.m3u8</c>) and <c>url</c> the segment's, as SRS reports them (no leading slash).
    /// </summary>
    public static string Hls(HookNode node, HlsSegmentClosed segment, ClientInfo? publisher) => Write(w =>
    {
        var m3u8Url = $"{segment.Stream.App}/{segment.Stream.Stream}.m3u8";
        var tsUrl = segment.Uri.StartsWith('/') ? segment.Uri[1..] : $"{segment.Stream.App}/{segment.Uri}";
        Head(w, node, HookAction.OnHls, publisher, segment.Stream);
        w.WriteString("tcUrl", publisher?.TcUrl ?? string.Empty);
        w.WriteString("stream", segment.Stream.Stream);
        w.WriteString("param", Param(publisher));
        w.WriteNumber("duration", Math.Round(segment.Duration, 3));
        w.WriteString("cwd", node.Cwd);
        w.WriteString("file", segment.Path);
        w.WriteString("url", tsUrl);
        w.WriteString("m3u8", segment.Playlist);
        w.WriteString("m3u8_url", m3u8Url);
        w.WriteNumber("seq_no", segment.Sequence);
        StreamIds(w, segment.Stream);
    });

    /// <summary>SRS's <c>stream_url</c>: <c>/app/stream</c> on the default vhost, <c>vhost/app/stream</c> otherwise.</summary>
    public static string StreamUrl(StreamKey stream) =>
        (stream.Vhost == StreamKey.DefaultVhost ? string.Empty : stream.Vhost) + $"/{stream.App}/{stream.Stream}";

    private static string Param(ClientInfo? client) => client is { Param.Length: > 0 } ? "?" + client.Param : string.Empty;

    private static void Head(Utf8JsonWriter w, HookNode node, HookAction action, ClientInfo? client, StreamKey stream)
    {
        w.WriteString("server_id", node.ServerId);
        w.WriteString("service_id", node.ServiceId);
        w.WriteString("action", action.SrsName());
        w.WriteString("client_id", client?.Id ?? string.Empty);
        w.WriteString("ip", client?.Ip ?? string.Empty);
        w.WriteString("vhost", stream.Vhost ?? string.Empty);
        w.WriteString("app", stream.App ?? string.Empty);
    }

    private static void StreamIds(Utf8JsonWriter w, StreamKey stream)
    {
        w.WriteString("stream_url", StreamUrl(stream));
        w.WriteString("stream_id", StreamDirectory.IdOf(stream));
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
