namespace Platform.Media.Ts;

/// <summary>
/// The bytes of one PES packet, gathered from where they already are: the PES header, up to two fixed
/// prefixes (AUD and parameter sets, or an ADTS header), then the elementary stream either copied as is or
/// read as length-prefixed NAL units and emitted behind start codes. <see cref="Fill"/> copies the next
/// bytes straight into a TS packet, so a frame is never assembled in a buffer of its own.
/// </summary>
internal ref struct PesPayload
{
    private readonly int _nalLengthSize;
    private readonly bool _hevc;
    private ReadOnlySpan<byte> _header;
    private ReadOnlySpan<byte> _prefix;
    private ReadOnlySpan<byte> _parameterSets;
    private ReadOnlySpan<byte> _body;
    private ReadOnlySpan<byte> _nal;
    private int _startCodeLeft;

    /// <param name="nalLengthSize">0 to copy <paramref name="body"/> as is; else its NAL length prefix size.</param>
    public PesPayload(
        ReadOnlySpan<byte> header, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> parameterSets,
        ReadOnlySpan<byte> body, int nalLengthSize, bool hevc)
    {
        _header = header;
        _prefix = prefix;
        _parameterSets = parameterSets;
        _body = body;
        _nalLengthSize = nalLengthSize;
        _hevc = hevc;
    }

    /// <summary>Fills <paramref name="destination"/> as far as the payload goes; returns the bytes written.</summary>
    public int Fill(Span<byte> destination)
    {
        var written = 0;
        while (written < destination.Length)
        {
            var free = destination[written..];
            if (!_header.IsEmpty)
            {
                written += Take(ref _header, free);
            }
            else if (!_prefix.IsEmpty)
            {
                written += Take(ref _prefix, free);
            }
            else if (!_parameterSets.IsEmpty)
            {
                written += Take(ref _parameterSets, free);
            }
            else if (_nalLengthSize == 0)
            {
                if (_body.IsEmpty)
                {
                    break;
                }

                written += Take(ref _body, free);
            }
            else if (_startCodeLeft > 0)
            {
                var startCode = AnnexB.StartCode[(AnnexB.StartCodeLength - _startCodeLeft)..];
                var count = Take(ref startCode, free);
                _startCodeLeft -= count;
                written += count;
            }
            else if (!_nal.IsEmpty)
            {
                written += Take(ref _nal, free);
            }
            else if (AnnexB.TryReadLength(_body, _nalLengthSize, out var length))
            {
                _nal = _body.Slice(_nalLengthSize, length);
                _body = _body[(_nalLengthSize + length)..];
                if (AnnexB.IsDropped(_nal, _hevc))
                {
                    _nal = default;
                }
                else
                {
                    _startCodeLeft = AnnexB.StartCodeLength;
                }
            }
            else
            {
                break;
            }
        }

        return written;
    }

    private static int Take(ref ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var count = Math.Min(source.Length, destination.Length);
        source[..count].CopyTo(destination);
        source = source[count..];
        return count;
    }
}
