using Platform.Streams.Clients;
using Platform.Streams.Hub;

namespace Platform.Streams.Telemetry;

/// <summary>
/// What the observed instruments read from one node: its hubs (streams, byte and frame totals) and its
/// client registry (connections by kind). Everything is read when a collector asks.
/// </summary>
public sealed class NodeMetrics
{
    /// <summary>A bit rate is measured over at least this long.</summary>
    public static readonly TimeSpan MinRateWindow = TimeSpan.FromSeconds(2);

    private readonly HubRegistry _hubs;
    private readonly ClientRegistry _clients;
    private readonly TimeProvider _time;
    private readonly RateMeter _in;
    private readonly RateMeter _out;

    public NodeMetrics(HubRegistry hubs, ClientRegistry clients, TimeProvider? time = null)
    {
        _hubs = hubs;
        _clients = clients;
        _time = time ?? TimeProvider.System;
        var totals = hubs.Totals();
        var now = _time.GetTimestamp();
        _in = new RateMeter(totals.BytesIn, now, MinRateWindow, _time.TimestampFrequency);
        _out = new RateMeter(totals.BytesOut, now, MinRateWindow, _time.TimestampFrequency);
    }

    public long Streams() => _hubs.Count;

    public long PublishingStreams()
    {
        long publishing = 0;
        foreach (var hub in _hubs.Snapshot())
        {
            if (hub.IsPublishing)
            {
                publishing++;
            }
        }

        return publishing;
    }

    public HubTotals Totals() => _hubs.Totals();

    /// <summary>Current kbit/s in and out.</summary>
    public (double In, double Out) Bitrate()
    {
        var totals = _hubs.Totals();
        var now = _time.GetTimestamp();
        return (_in.Sample(totals.BytesIn, now), _out.Sample(totals.BytesOut, now));
    }

    /// <summary>Adds the clients of <paramref name="role"/> (any role when null) to <paramref name="counts"/>, one slot per protocol.</summary>
    public void CountClients(IReadOnlyList<string> protocols, string? role, long[] counts)
    {
        foreach (var client in _clients.Snapshot())
        {
            var (kindRole, protocol) = ClientKindNames.Of(client.Info.Kind);
            if (role is not null && kindRole != role)
            {
                continue;
            }

            for (var i = 0; i < protocols.Count; i++)
            {
                if (protocols[i] == protocol)
                {
                    counts[i]++;
                    break;
                }
            }
        }
    }
}
