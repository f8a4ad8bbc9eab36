namespace Platform.Sources.Pull;

/// <summary>Finds the <c>onMetaData</c> body the hub keeps in a data message or script tag, without parsing its values.</summary>
internal static class ScriptData
{
    /// <summary>The AMF0 string <c>onMetaData</c>: marker, 16-bit length, bytes.</summary>
    private static ReadOnlySpan<byte> OnMetaData => "\u0002\u0000\u000AonMetaData"u8;

    /// <summary>The AMF0 string <c>@setDataFrame</c>, which publishers put before <c>onMetaData</c>.</summary>
    private static ReadOnlySpan<byte> SetDataFrame => "\u0002\u0000\u000D@setDataFrame"u8;

    /// <summary>
    /// Where the <c>onMetaData</c> body starts in <paramref name="payload"/>: 0 when it is one, after
    /// <c>@setDataFrame</c> when that carries one; -1 for anything else (<c>|RtmpSampleAccess</c>, <c>onTextData</c>, ...).
    /// </summary>
    public static int MetadataOffset(ReadOnlySpan<byte> payload)
    {
        if (payload.StartsWith(OnMetaData))
        {
            return 0;
        }

        return payload.StartsWith(SetDataFrame) && payload[SetDataFrame.Length..].StartsWith(OnMetaData) ? SetDataFrame.Length : -1;
    }
}
