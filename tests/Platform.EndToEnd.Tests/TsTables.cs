namespace Platform.EndToEnd.Tests;

/// <summary>What a player learns from the tables at the start of an MPEG-TS segment.</summary>
public static class TsTables
{
    /// <summary>The stream_type of each elementary stream listed by the first PMT (PID 0x1000) of the bytes.</summary>
    public static IReadOnlyList<byte> FirstPmtStreamTypes(byte[] ts)
    {
        for (var offset = 0; offset + 188 <= ts.Length; offset += 188)
        {
            var packet = ts.AsSpan(offset, 188);
            var pid = ((packet[1] & 0x1F) << 8) | packet[2];
            if (pid != 0x1000 || (packet[1] & 0x40) == 0)
            {
                continue;
            }

            var payload = (packet[3] & 0x20) != 0 ? 5 + packet[4] : 4;
            var section = packet[(payload + 1 + packet[payload])..]; // after the pointer_field
            var sectionLength = ((section[1] & 0x0F) << 8) | section[2];
            var programInfoLength = ((section[10] & 0x0F) << 8) | section[11];
            var types = new List<byte>();
            var end = 3 + sectionLength - 4; // before the CRC
            for (var i = 12 + programInfoLength; i + 5 <= end; i += 5 + (((section[i + 3] & 0x0F) << 8) | section[i + 4]))
            {
                types.Add(section[i]);
            }

            return types;
        }

        throw new InvalidDataException("no PMT in the segment");
    }
}
