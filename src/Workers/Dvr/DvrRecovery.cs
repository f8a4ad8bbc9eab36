using System.Buffers;
using Platform.Media;
using Platform.Media.Flv;

namespace Platform.Workers.Dvr;

/// <summary>
/// Finishes the recordings a previous run left as <c>*.flv.tmp</c> (a crash or a kill): each is read back up
/// to its last complete tag and finalized exactly as <see cref="FlvRecording.Close"/> would have. Call it at
/// start-up, before any recording of this process starts under the same root.
/// </summary>
public static class DvrRecovery
{
    public const string TempSuffix = ".tmp";

    /// <summary>Suffix a leftover is renamed with when it holds nothing readable.</summary>
    public const string CorruptSuffix = ".corrupt";

    private const string Pattern = "*.flv" + TempSuffix;

    /// <summary>
    /// Finalizes every <c>*.flv.tmp</c> under <paramref name="root"/> (recursively) and returns the files
    /// produced. A leftover without a complete tag is deleted; one that is not FLV at all (or whose first tag
    /// is malformed) is renamed to <c>*.flv.corrupt</c>; one that cannot be read or written (I/O error) is
    /// left in place. A tail after the last complete tag (truncated or garbage) is dropped. Never throws for
    /// a corrupt file.
    /// </summary>
    public static IReadOnlyList<DvrFile> FinalizeLeftovers(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var results = new List<DvrFile>();
        if (!Directory.Exists(root))
        {
            return results;
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            MatchType = MatchType.Simple,
            MatchCasing = MatchCasing.CaseSensitive,
        };

        // Listed first, so that files this pass creates or renames are not visited.
        var leftovers = Directory.GetFiles(root, Pattern, options);
        foreach (var tmp in leftovers)
        {
            try
            {
                if (Recover(tmp) is { } file)
                {
                    results.Add(file);
                }
            }
            catch (IOException)
            {
                // Locked, vanished or disk full: left as it is for the next run.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return results;
    }

    /// <summary>
    /// Finalizes one .tmp from what is on disk. <paramref name="start"/> defaults to the file's last write
    /// time less its duration. Throws only I/O errors.
    /// </summary>
    internal static DvrFile? Recover(string tmpPath, DateTimeOffset? start = null)
    {
        var finalPath = tmpPath[..^TempSuffix.Length];
        var outcome = Scan(tmpPath, out var index);
        if (outcome == ScanOutcome.Corrupt && index.TagCount == 0)
        {
            File.Move(tmpPath, finalPath + CorruptSuffix, overwrite: true);
            return null;
        }

        if (index.TagCount == 0)
        {
            File.Delete(tmpPath);
            return null;
        }

        // The .tmp was last written when its last tag was: that, less the duration, is when it started.
        start ??= new DateTimeOffset(File.GetLastWriteTimeUtc(tmpPath), TimeSpan.Zero) - TimeSpan.FromMilliseconds(index.LastTimestamp);
        return FlvFinalizer.Finalize(tmpPath, finalPath, index, start.Value);
    }

    private enum ScanOutcome
    {
        Complete,
        Truncated,
        Corrupt,
    }

    /// <summary>Reads every complete tag of the file into <paramref name="index"/>, streaming.</summary>
    private static ScanOutcome Scan(string path, out FlvFileIndex index)
    {
        index = new FlvFileIndex();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(FlvRecording.WriteBufferSize);
        try
        {
            var filled = Fill(stream, buffer, 0);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, 0, filled));
            try
            {
                if (!FlvReader.TryReadFileHeader(ref reader, out _))
                {
                    return ScanOutcome.Truncated;
                }
            }
            catch (MediaFormatException)
            {
                return ScanOutcome.Corrupt;
            }

            long bufferOffset = 0; // file offset of buffer[0]
            var start = (int)reader.Consumed;
            while (true)
            {
                reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, start, filled - start));
                try
                {
                    while (FlvReader.TryReadTag(ref reader, FlvWriter.MaxDataSize, out var tag))
                    {
                        var end = bufferOffset + start + reader.Consumed;
                        var payload = tag.Data.FirstSpan;
                        FlvFileIndex.GetFlags(tag.Type, payload, out var isKeyFrame, out var isSequenceHeader);
                        index.Add(tag.Type, tag.Timestamp, payload, end - FlvWriter.GetTagLength(tag.DataSize), isKeyFrame, isSequenceHeader);
                    }
                }
                catch (MediaFormatException)
                {
                    return ScanOutcome.Corrupt;
                }

                start += (int)reader.Consumed;
                var pending = filled - start;
                var needed = NextTagLength(buffer.AsSpan(start, pending));
                if (needed > buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(needed);
                    buffer.AsSpan(start, pending).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                else
                {
                    buffer.AsSpan(start, pending).CopyTo(buffer);
                }

                bufferOffset += start;
                start = 0;
                var read = Fill(stream, buffer, pending);
                if (read == pending)
                {
                    return pending == 0 ? ScanOutcome.Complete : ScanOutcome.Truncated;
                }

                filled = read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Length of the tag that starts the bytes, once its header is there (else a header's worth).</summary>
    private static int NextTagLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < FlvWriter.TagHeaderLength)
        {
            return FlvWriter.TagHeaderLength;
        }

        var dataSize = (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
        return FlvWriter.GetTagLength(dataSize);
    }

    /// <summary>Reads until the buffer is full or the file ends; returns the bytes now in the buffer.</summary>
    private static int Fill(FileStream stream, byte[] buffer, int filled)
    {
        while (filled < buffer.Length)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
