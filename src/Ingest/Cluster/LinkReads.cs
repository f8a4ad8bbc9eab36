using System.Buffers;
using System.IO.Pipelines;

namespace Platform.Ingest.Cluster;

/// <summary>A parser of one handshake message, Kestrel style: false and nothing consumed while incomplete.</summary>
internal delegate bool TryRead(ref SequenceReader<byte> reader);

/// <summary>Reads one handshake message of a media link from a pipe, both sides of the link.</summary>
internal static class LinkReads
{
    /// <summary>Reads until <paramref name="tryRead"/> parses a whole message; false if the peer closed first.</summary>
    public static async Task<bool> ReadAsync(PipeReader reader, TryRead tryRead, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var sequence = new SequenceReader<byte>(result.Buffer);
            if (tryRead(ref sequence))
            {
                reader.AdvanceTo(sequence.Position);
                return true;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                return false;
            }
        }
    }
}
