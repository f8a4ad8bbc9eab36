using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Platform.Api.Hosting;
using Platform.Streams;
using Platform.Streams.Entity;

namespace Platform.Api.Endpoints;

/// <summary>
/// HLS on every node of the cluster: a stream is packaged once, by the HLS worker on the node that hosts
/// its entity; another node answers its viewers (their sessions, checks and counters stay its own) with the
/// playlists and segments it fetches from that node. Requests between nodes carry a proof of the cluster
/// secret (<c>X-Platform-Node</c>: time and HMAC of the path), which makes the worker's node serve the
/// file as it is, without a viewer session of its own.
/// </summary>
public sealed class HlsRelay
{
    public const string ProofHeader = "X-Platform-Node";
    private const int MaxRemembered = 20000;
    private static readonly TimeSpan ProofLifetime = TimeSpan.FromSeconds(60);
    private readonly byte[] _secret;
    private readonly StreamControl _control;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, string> _segmentHome = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _prefetching = new(StringComparer.Ordinal);

    /// <summary>What this node keeps of the files it relayed (see <see cref="HlsRelayCache"/>).</summary>
    public HlsRelayCache Cache { get; } = new();

    public HlsRelay(PlatformOptions options, StreamControl control)
    {
        _secret = Encoding.UTF8.GetBytes(options.Cluster.Secret ?? string.Empty);
        _control = control;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(5) };
    }

    public bool Enabled => _secret.Length > 0;

    /// <summary>Whether a request comes from another node of the cluster (a valid, fresh proof for its path).</summary>
    public bool IsFromNode(HttpRequest request)
    {
        if (!Enabled || request.Headers[ProofHeader].FirstOrDefault() is not { } proof)
        {
            return false;
        }

        var dot = proof.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(proof.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > ProofLifetime)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Prove(request.Path.Value ?? string.Empty, seconds));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(proof));
    }

    /// <summary>
    /// Fetches <c>/app/path</c> from the node that packages it: a stream's playlist from its entity's node,
    /// a segment from the node whose playlist listed it (or, for a viewer session, its stream's entity's).
    /// Null when no other node has it.
    /// </summary>
    public async Task<byte[]?> FetchAsync(string app, string path, StreamKey? stream, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }

        var relative = $"{app}/{path}";
        var playlist = path.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase);
        if (!playlist && Cache.Segment(relative) is { } kept)
        {
            return kept;
        }

        var fetched = await FetchFromHomeAsync(relative, app, path, playlist, stream, cancellationToken);
        if (fetched is not null)
        {
            if (playlist)
            {
                Cache.Playlist(relative, fetched);
            }
            else
            {
                Cache.AddSegment(relative, fetched);
            }

            return fetched;
        }

        // The packager is moving (its node drains or died): the last playlist stands in for a few seconds,
        // its segments are here if they were fetched.
        return playlist ? Cache.StalePlaylist(relative) : null;
    }

    private async Task<byte[]?> FetchFromHomeAsync(string relative, string app, string path, bool playlist, StreamKey? stream, CancellationToken cancellationToken)
    {
        if (stream is null && playlist && !path.Contains('/', StringComparison.Ordinal))
        {
            stream = new StreamKey(StreamKey.DefaultVhost, app, path[..^5]);
        }

        var home = !playlist && _segmentHome.TryGetValue(relative, out var known) ? known : null;
        if (home is null && stream is { } key)
        {
            home = await WorkerNodeAsync(key, cancellationToken);
        }

        if (home is null)
        {
            return null;
        }

        var bytes = await GetFromNodeAsync(home, relative, cancellationToken);
        if (bytes is not null && playlist)
        {
            Remember(relative, Encoding.UTF8.GetString(bytes), home);
        }

        return bytes;
    }

    /// <summary>One file from another node's media port, with the proof that makes it serve the file as it is; null if it has none.</summary>
    private async Task<byte[]?> GetFromNodeAsync(string home, string relative, CancellationToken cancellationToken)
    {
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{home}/{relative}");
        request.Headers.Add(ProofHeader, Prove("/" + relative, seconds));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync(cancellationToken) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Fetches a listed segment before any viewer asks (once per node), so that it is still here if its
    /// packager's node goes before the viewers get to it.
    /// </summary>
    private void Prefetch(string segment, string home)
    {
        if (Cache.HasSegment(segment) || !_prefetching.TryAdd(segment, 0))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                if (await GetFromNodeAsync(home, segment, CancellationToken.None) is { } bytes)
                {
                    Cache.AddSegment(segment, bytes);
                }
            }
            finally
            {
                _prefetching.TryRemove(segment, out _);
            }
        });
    }

    private async Task<string?> WorkerNodeAsync(StreamKey stream, CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = await _control.Region.Ask<StreamSnapshot>(new GetStream(stream), _control.Options.AskTimeout, cancellationToken);
            var hls = snapshot.Workers.Any(w => w.Name == "hls" && w.Running);
            return hls && snapshot.EntityNode != _control.SelfAddress.ToString() ? snapshot.WorkerHttp : null;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Notes which node has each segment a fetched playlist lists (URIs relative to the playlist).</summary>
    private void Remember(string playlistPath, string text, string home)
    {
        if (_segmentHome.Count > MaxRemembered)
        {
            _segmentHome.Clear();
        }

        var folder = playlistPath[..(playlistPath.LastIndexOf('/') + 1)];
        foreach (var line in text.Split('\n'))
        {
            var uri = line.Trim();
            if (uri.Length == 0 || uri.StartsWith('#') || uri.Contains("://", StringComparison.Ordinal))
            {
                continue;
            }

            var query = uri.IndexOf('?', StringComparison.Ordinal);
            var segment = folder + Uri.UnescapeDataString(query >= 0 ? uri[..query] : uri);
            _segmentHome[segment] = home;
            Prefetch(segment, home);
        }
    }

    private string Prove(string path, long seconds)
    {
        var mac = HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes($"hls\n{seconds}\n{path}"));
        return seconds.ToString(CultureInfo.InvariantCulture) + "." + Convert.ToHexStringLower(mac);
    }
}
