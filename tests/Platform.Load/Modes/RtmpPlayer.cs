using System.Buffers;
using System.Diagnostics;
using Platform.Media.Rtmp;

namespace Platform.Load.Modes;

/// <summary>An RTMP player: connect, play, then count what arrives.</summary>
public sealed class RtmpPlayer : Player
{
    private readonly RtmpEndpoint _endpoint;
    private readonly bool _digest;
    private readonly ReadPacer? _pacer;
    private readonly Func<RtmpMessageHeader, ReadOnlySequence<byte>, bool> _onMessage;
    private RtmpClient? _client;
    private long _finalBytes;

    public RtmpPlayer(int index, RtmpEndpoint endpoint, bool digest, ReadPacer? pacer)
        : base(index)
    {
        _endpoint = endpoint;
        _digest = digest;
        _pacer = pacer;
        _onMessage = OnMessage;
    }

    public override long Bytes => _client?.BytesReceived ?? _finalBytes;

    protected override async Task PlayAsync(CancellationToken cancellationToken)
    {
        try
        {
            _client = await RtmpClient.ConnectAsync(_endpoint, _digest, cancellationToken);
            Connected = true;
            Trace($"connected, {_client.Handshake} handshake");
            await _client.PlayAsync(cancellationToken);
            Playing = true;
            Trace($"playing, stream id {_client.StreamId}, status {_client.LastStatusCode}");
            LastReceiveTicks = Stopwatch.GetTimestamp();
            if (_pacer is null)
            {
                await _client.ReceiveAsync(_onMessage, cancellationToken);
                return;
            }

            while (await _client.ReceiveOnceAsync(_onMessage, cancellationToken))
            {
                await _pacer.NextTick;
            }
        }
        finally
        {
            if (_client is { } client)
            {
                _finalBytes = client.BytesReceived;
                _client = null;
                client.Dispose();
            }
        }
    }

    private bool OnMessage(RtmpMessageHeader header, ReadOnlySequence<byte> payload)
    {
        LastReceiveTicks = Stopwatch.GetTimestamp();
        OnMedia(header.Type, header.Timestamp, payload);
        return true;
    }
}
