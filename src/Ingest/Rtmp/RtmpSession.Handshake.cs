using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Platform.Media.Rtmp;

namespace Platform.Ingest.Rtmp;

public sealed partial class RtmpSession
{
    /// <summary>C0C1 -> S0S1S2 -> C2, plain or digest, bounded by the handshake timeout.</summary>
    private async Task HandshakeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            var c1 = new byte[RtmpHandshake.PacketSize];
            await ReadHandshakeAsync(c1, static (ref SequenceReader<byte> r, byte[] c1) => RtmpHandshake.TryReadC0C1(ref r, out _, c1), timeout.Token);

            var response = new byte[RtmpHandshake.S0S1S2Size];
            var kind = RtmpHandshake.WriteS0S1S2(c1, response, (uint)Environment.TickCount);
            await SendAsync(response);

            await ReadHandshakeAsync(c1, static (ref SequenceReader<byte> r, byte[] _) => RtmpHandshake.TryReadC2(ref r), timeout.Token);
            _log.LogHandshake(Info.Id, Info.Ip, kind);
        }
        catch (OperationCanceledException) when (!_closed.IsCancellationRequested)
        {
            throw new SessionTimeoutException($"handshake not completed in {_options.HandshakeTimeout.TotalSeconds:0} s");
        }
    }

    private delegate bool HandshakeStep(ref SequenceReader<byte> reader, byte[] state);

    private async Task ReadHandshakeAsync(byte[] state, HandshakeStep step, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var reader = new SequenceReader<byte>(result.Buffer);
            if (step(ref reader, state))
            {
                _input.AdvanceTo(reader.Position);
                return;
            }

            _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new ConnectionAbortedException("connection closed during the handshake");
            }
        }
    }
}
