using System.Buffers;

namespace Platform.Media.Buffers;

/// <summary>
/// A byte buffer rented from <see cref="ArrayPool{T}.Shared"/> and shared by reference count: every holder
/// calls <see cref="AddRef"/> before keeping it and <see cref="Release"/> when done; the array goes back to
/// the pool when the count reaches zero. Once released it must not be touched.
/// </summary>
public sealed class PooledBuffer
{
    private byte[]? _array;
    private int _length;
    private int _refCount;

    private PooledBuffer(byte[] array, int length)
    {
        _array = array;
        _length = length;
        _refCount = 1;
    }

    /// <summary>Rents a buffer of <paramref name="length"/> bytes with a reference count of one.</summary>
    public static PooledBuffer Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new PooledBuffer(ArrayPool<byte>.Shared.Rent(Math.Max(length, 1)), length);
    }

    /// <summary>Rents a buffer and copies <paramref name="source"/> into it.</summary>
    public static PooledBuffer CopyOf(ReadOnlySpan<byte> source)
    {
        var buffer = Rent(source.Length);
        source.CopyTo(buffer._array);
        return buffer;
    }

    /// <summary>Rents a buffer and copies <paramref name="source"/> into it.</summary>
    public static PooledBuffer CopyOf(in ReadOnlySequence<byte> source)
    {
        var buffer = Rent(checked((int)source.Length));
        source.CopyTo(buffer._array);
        return buffer;
    }

    public int Length => _length;

    /// <summary>How many holders keep this buffer; zero once returned to the pool.</summary>
    public int RefCount => Volatile.Read(ref _refCount);

    public Memory<byte> Memory => new(Array, 0, _length);

    public Span<byte> Span => new(Array, 0, _length);

    public ReadOnlySpan<byte> ReadOnlySpan => new(Array, 0, _length);

    /// <summary>The underlying array (longer than <see cref="Length"/>); for gather writes.</summary>
    public byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBuffer));

    public ArraySegment<byte> Segment => new(Array, 0, _length);

    /// <summary>Shrinks the visible length, for a buffer rented larger than what was written into it.</summary>
    public void SetLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Array.Length);
        _length = length;
    }

    public PooledBuffer AddRef()
    {
        var count = Interlocked.Increment(ref _refCount);
        if (count <= 1)
        {
            throw new ObjectDisposedException(nameof(PooledBuffer), "AddRef on a released buffer.");
        }

        return this;
    }

    public void Release()
    {
        var count = Interlocked.Decrement(ref _refCount);
        if (count == 0)
        {
            var array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
        else if (count < 0)
        {
            throw new InvalidOperationException("PooledBuffer released more times than it was referenced.");
        }
    }
}
