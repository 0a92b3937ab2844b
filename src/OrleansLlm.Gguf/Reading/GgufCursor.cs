using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansLlm.Gguf.Reading;

/// <summary>
/// A forward-only reader over a <see cref="GgufSource"/> through one pooled buffer: one
/// sequential pass, a syscall per buffer fill rather than per value, strings decoded straight
/// from the buffer. Every length is checked against the bytes that remain before it is used.
/// </summary>
internal sealed class GgufCursor : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly GgufSource _source;
    private readonly long _limit;
    private readonly long _headerLimit;
    private byte[] _buffer;
    private long _bufferStart;
    private int _position;
    private int _count;

    public GgufCursor(GgufSource source, long headerLimit)
    {
        _source = source;
        _headerLimit = headerLimit;
        _limit = Math.Min(source.Length, headerLimit);
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>What is being read, for error messages ("the metadata", "the tensor table").</summary>
    public string Section { get; set; } = "the header";

    public long Position => _bufferStart + _position;

    /// <summary>Bytes that may still be read: to the end of the file or the header limit.</summary>
    public long Remaining => _limit - Position;

    public byte ReadByte()
    {
        Need(1);
        return _buffer[_position++];
    }

    public ushort ReadUInt16()
    {
        Need(2);
        var value = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_position));
        _position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_position));
        _position += 4;
        return value;
    }

    public ulong ReadUInt64()
    {
        Need(8);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a GGUF string (u64 length, UTF-8 bytes) of at most <paramref name="maxLength"/> bytes.</summary>
    public string ReadString(long maxLength, string what)
    {
        var length = ReadStringLength(maxLength, what);
        if (length <= _buffer.Length)
        {
            Need(length);
            var text = Encoding.UTF8.GetString(_buffer, _position, length);
            _position += length;
            return text;
        }
        // Longer than the buffer (a huge chat template): one pooled scratch array, checked length.
        var scratch = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ReadBytes(scratch.AsSpan(0, length));
            return Encoding.UTF8.GetString(scratch, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public void SkipString(long maxLength, string what) => Skip(ReadStringLength(maxLength, what));

    /// <summary>Walks <paramref name="count"/> strings without decoding them: the hot loop of skipping a vocabulary.</summary>
    public void SkipStrings(long count, long maxLength, string what)
    {
        for (long i = 0; i < count; i++)
        {
            var available = _count - _position;
            if (available >= 8)
            {
                var length = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_position, 8));
                if (length <= (ulong)(available - 8) && length <= (ulong)maxLength)
                {
                    _position += 8 + (int)length;
                    continue;
                }
            }
            SkipString(maxLength, what);
        }
    }

    public void Skip(long bytes)
    {
        if (bytes <= _count - _position)
        {
            _position += (int)bytes;
            return;
        }
        if (bytes > Remaining)
            throw PastEnd(bytes);
        _bufferStart = Position + bytes;
        _position = 0;
        _count = 0;
    }

    /// <summary>Fills <paramref name="destination"/> exactly, large reads going straight to the source.</summary>
    public void ReadBytes(Span<byte> destination)
    {
        if (destination.Length > Remaining)
            throw PastEnd(destination.Length);
        var buffered = Math.Min(destination.Length, _count - _position);
        _buffer.AsSpan(_position, buffered).CopyTo(destination);
        _position += buffered;
        var rest = destination[buffered..];
        if (rest.IsEmpty)
            return;
        var offset = Position;
        while (!rest.IsEmpty)
        {
            var read = _source.Read(offset, rest);
            if (read <= 0)
                throw PastEnd(rest.Length);
            offset += read;
            rest = rest[read..];
        }
        _bufferStart = offset;
        _position = 0;
        _count = 0;
    }

    /// <summary>Reads <paramref name="count"/> fixed-width little-endian values into a new array.</summary>
    public T[] ReadArray<T>(int count)
        where T : unmanaged
    {
        var values = new T[count];
        ReadBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("GGUF reading needs a little-endian machine");
        return values;
    }

    public GgufFormatException Error(long offset, string reason) => new(offset, reason);

    public void Dispose()
    {
        if (_buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private int ReadStringLength(long maxLength, string what)
    {
        var start = Position;
        var length = ReadUInt64();
        if (length > (ulong)maxLength)
            throw Error(start, $"{what} is {length} bytes long, more than the limit of {maxLength}");
        if (length > (ulong)Remaining)
            throw Error(start, $"{what} is {length} bytes long but only {Remaining} bytes remain in {Section}{LimitNote()}");
        return (int)length;
    }

    private void Need(int bytes)
    {
        if (_count - _position >= bytes)
            return;
        if (bytes > Remaining)
            throw PastEnd(bytes);
        // Keep the unread tail, refill behind it.
        var tail = _count - _position;
        Buffer.BlockCopy(_buffer, _position, _buffer, 0, tail);
        _bufferStart += _position;
        _position = 0;
        _count = tail;
        while (_count < bytes)
        {
            var read = _source.Read(_bufferStart + _count, _buffer.AsSpan(_count));
            if (read <= 0)
                throw PastEnd(bytes);
            _count += read;
        }
    }

    private GgufFormatException PastEnd(long bytes) =>
        Error(Position, $"unexpected end of {Section}: {bytes} bytes needed but only {Remaining} remain{LimitNote()}");

    private string LimitNote() =>
        _limit < _source.Length ? $" within the header limit of {_headerLimit} bytes" : $" (the file is {_source.Length} bytes)";
}
