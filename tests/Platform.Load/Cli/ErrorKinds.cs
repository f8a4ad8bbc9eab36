using System.Net.Sockets;
using Platform.Media;

namespace Platform.Load.Cli;

/// <summary>Error kinds, named as rtmpload names them, and the counting of them.</summary>
public static class ErrorKinds
{
    public const string Connect = "connect";
    public const string Handshake = "handshake";
    public const string Eof = "eof";
    public const string Recv = "recv";
    public const string Proto = "proto";
    public const string Rejected = "rejected";
    public const string SetupTimeout = "setup_timeout";
    public const string Stall = "stall";
    public const string Http = "http";

    /// <summary>Classifies a failure; <paramref name="connected"/> tells a connect failure from a later one.</summary>
    public static string Classify(Exception ex, bool connected) => ex switch
    {
        RtmpStatusException => Rejected,
        EndOfStreamException => Eof,
        MediaFormatException => connected ? Proto : Handshake,
        HttpRequestException { StatusCode: not null } => Http,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound } => Connect,
        SocketException or IOException or HttpRequestException => connected ? Recv : Connect,
        TimeoutException => SetupTimeout,
        _ => Proto,
    };

    /// <summary><c> kind=count</c> pairs, sorted by kind.</summary>
    public static string Format(IEnumerable<string?> kinds)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var kind in kinds)
        {
            if (kind is not null)
            {
                counts[kind] = counts.GetValueOrDefault(kind) + 1;
            }
        }

        return string.Concat(counts.Select(p => $" {p.Key}={p.Value}"));
    }
}
