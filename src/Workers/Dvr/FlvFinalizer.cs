using System.Buffers;
using System.Buffers.Binary;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Flv;

namespace Platform.Workers.Dvr;

/// <summary>
/// Turns a .tmp recording into its final file: FLV header, an onMetaData tag with duration, file size and
/// a keyframe index (<c>keyframes: { times, filepositions }</c>, positions in the final file), then the
/// .tmp's tags copied as they are. The file is written beside the final path and renamed over it once
/// complete and synced, and only then is the .tmp deleted: a crash at any point leaves either the .tmp (and
/// recovery redoes the work) or the final file.
/// </summary>
internal static class FlvFinalizer
{
    private const int CopyBufferSize = 128 * 1024;

    /// <summary>Properties of the stream's own metadata carried over to the final file when present.</summary>
    private static readonly string[] CarriedProperties =
    [
        "width", "height", "framerate", "videocodecid", "videodatarate",
        "audiocodecid", "audiodatarate", "audiosamplerate", "audiosamplesize", "stereo", "encoder",
    ];

    public static DvrFile Finalize(string tmpPath, string finalPath, FlvFileIndex index, DateTimeOffset start)
    {
        var dataLength = index.DataEnd - index.DataStart;

        // Every number is an AMF0 double (9 bytes), so the tag's size does not depend on the values: measure
        // it with placeholders, then write it with the final positions and size.
        int metadataTagLength;
        using (var probe = BuildMetadata(index, 0, 0))
        {
            metadataTagLength = FlvWriter.GetTagLength(probe.WrittenCount);
        }

        var shift = FlvWriter.FileHeaderLength + metadataTagLength - index.DataStart;
        var fileSize = FlvWriter.FileHeaderLength + metadataTagLength + dataLength;
        using var metadata = BuildMetadata(index, shift, fileSize);
        if (FlvWriter.GetTagLength(metadata.WrittenCount) != metadataTagLength)
        {
            throw new InvalidOperationException("The onMetaData tag changed size between measuring and writing.");
        }

        var partPath = finalPath + ".part";
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            using (var output = new FileStream(partPath, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            using (var input = new FileStream(tmpPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan))
            {
                WriteHead(output, index, metadata.WrittenSpan);

                input.Position = index.DataStart;
                var remaining = dataLength;
                while (remaining > 0)
                {
                    var read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                    if (read == 0)
                    {
                        throw new IOException($"'{tmpPath}' is shorter than its {index.DataEnd} indexed bytes.");
                    }

                    output.Write(buffer, 0, read);
                    remaining -= read;
                }

                output.Flush(flushToDisk: true);
            }

            File.Move(partPath, finalPath, overwrite: true);
        }
        catch
        {
            TryDelete(partPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        // Should this fail, the next recovery finalizes the .tmp again into the same file.
        TryDelete(tmpPath);
        return new DvrFile(Path.GetFullPath(finalPath), start, TimeSpan.FromMilliseconds(index.LastTimestamp), fileSize);
    }

    /// <summary>The FLV header (flags from the tags actually recorded) and the onMetaData tag.</summary>
    private static void WriteHead(FileStream output, FlvFileIndex index, ReadOnlySpan<byte> metadata)
    {
        Span<byte> header = stackalloc byte[FlvWriter.FileHeaderLength + FlvWriter.TagHeaderLength];
        var hasAudio = index.HasAudio || !index.HasVideo;
        var hasVideo = index.HasVideo || !index.HasAudio;
        FlvWriter.WriteFileHeader(header, hasAudio, hasVideo);
        FlvWriter.WriteTagHeader(header[FlvWriter.FileHeaderLength..], FlvTagType.Script, metadata.Length, 0);
        output.Write(header);
        output.Write(metadata);
        Span<byte> previousTagSize = stackalloc byte[FlvWriter.PreviousTagSizeLength];
        BinaryPrimitives.WriteUInt32BigEndian(previousTagSize, (uint)(FlvWriter.TagHeaderLength + metadata.Length));
        output.Write(previousTagSize);
    }

    /// <summary>The onMetaData data body; <paramref name="shift"/> turns .tmp positions into final ones.</summary>
    private static PooledBufferWriter BuildMetadata(FlvFileIndex index, long shift, long fileSize)
    {
        var properties = new Amf0Object(isEcmaArray: true, capacity: 20);
        properties.Add("duration", index.LastTimestamp / 1000.0);
        properties.Add("filesize", (double)fileSize);
        var original = index.Metadata;
        foreach (var name in CarriedProperties)
        {
            if (original is not null && original.TryGetValue(name, out var value) && value is double or bool or string)
            {
                properties.Add(name, value);
            }
            else if (FromStream(index, name) is { } known)
            {
                properties.Add(name, known);
            }
        }

        properties.Add("hasVideo", index.HasVideo);
        properties.Add("hasAudio", index.HasAudio);
        properties.Add("hasKeyframes", index.KeyframeTimes.Count > 0);
        properties.Add("keyframes", BuildKeyframes(index, shift));

        var writer = new PooledBufferWriter(256 + (index.KeyframeTimes.Count * 18));
        Amf0Writer.WriteString(writer, "onMetaData");
        Amf0Writer.WriteObject(writer, properties);
        return writer;
    }

    private static object? FromStream(FlvFileIndex index, string name) => name switch
    {
        "width" when index.Width > 0 => (double)index.Width,
        "height" when index.Height > 0 => (double)index.Height,
        "videocodecid" => index.VideoCodecId,
        "audiocodecid" => index.AudioCodecId,
        _ => null,
    };

    /// <summary>
    /// Times in seconds and final file positions of the video keyframes. An index longer than AMF0 readers
    /// accept in one array is thinned to every n-th keyframe.
    /// </summary>
    private static Amf0Object BuildKeyframes(FlvFileIndex index, long shift)
    {
        var count = index.KeyframeTimes.Count;
        var step = (count + Amf0Reader.MaxContainerEntries - 1) / Amf0Reader.MaxContainerEntries;
        step = Math.Max(step, 1);
        var kept = (count + step - 1) / step;
        var times = new List<object?>(kept);
        var positions = new List<object?>(kept);
        for (var i = 0; i < count; i += step)
        {
            times.Add(index.KeyframeTimes[i] / 1000.0);
            positions.Add((double)(index.KeyframePositions[i] + shift));
        }

        return new Amf0Object { { "times", times }, { "filepositions", positions } };
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
