using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansLlm.Gguf.Reading;

/// <summary>
/// A forward-only reader over the header bytes (a memory map of the file, or an array). Every
/// length is checked against the bytes that remain before it is used, so no allocation or walk
/// is ever sized by a number the file made up.
/// </summary>
internal ref struct GgufCursor(ReadOnlySpan<byte> data, long fileLength, long headerLimit)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    /// <summary>What is being read, for error messages ("the metadata", "the tensor table").</summary>
    public string Section { get; set; } = "the header";

    public readonly int Position => _position;

    /// <summary>Bytes that may still be read: to the end of the file or of the header limit.</summary>
    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        Need(1);
        return _data[_position++];
    }

    public ushort ReadUInt16()
    {
        Need(2);
        var value = BinaryPrimitives.ReadUInt16LittleEndian(_data[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadUInt64()
    {
        Need(8);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>Reads a GGUF string (u64 length, UTF-8 bytes) of at most <paramref name="maxLength"/> bytes, decoded in place.</summary>
    public string ReadString(long maxLength, string what)
    {
        var length = ReadStringLength(maxLength, what);
        var text = Encoding.UTF8.GetString(_data.Slice(_position, length));
        _position += length;
        return text;
    }

    /// <summary>
    /// Reads a name that must be valid UTF-8 (a metadata key, a tensor name): a malformed one is
    /// refused like any other malformation, where a value's bad bytes would only be replaced.
    /// </summary>
    public string ReadName(long maxLength, string what)
    {
        var start = _position;
        var length = ReadStringLength(maxLength, what);
        string text;
        try
        {
            text = StrictUtf8.GetString(_data.Slice(_position, length));
        }
        catch (DecoderFallbackException e)
        {
            throw Error(start, $"{what} is not valid UTF-8 (byte {e.Index} of {length})");
        }
        _position += length;
        return text;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public void SkipString(long maxLength, string what) => _position += ReadStringLength(maxLength, what);

    /// <summary>Walks <paramref name="count"/> strings without decoding them: the hot loop of skipping a vocabulary.</summary>
    public void SkipStrings(long count, long maxLength, string what)
    {
        // 400k iterations for a Llama 3 vocabulary and its merges: a local position, one load
        // per string; the checked path (with its error message) only when a length misfits.
        var data = _data;
        var position = _position;
        for (; count > 0; count--)
        {
            var available = data.Length - position - 8;
            if (available >= 0)
            {
                var length = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(position, 8));
                if (length <= (ulong)Math.Min(available, maxLength))
                {
                    position += 8 + (int)length;
                    continue;
                }
            }
            _position = position;
            SkipString(maxLength, what);
            position = _position;
        }
        _position = position;
    }

    public void Skip(long bytes)
    {
        if (bytes > Remaining)
            throw PastEnd(bytes);
        _position += (int)bytes;
    }

    /// <summary>Reads <paramref name="count"/> fixed-width little-endian values into a new array.</summary>
    public T[] ReadArray<T>(int count)
        where T : unmanaged
    {
        var values = new T[count];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (bytes.Length > Remaining)
            throw PastEnd(bytes.Length);
        _data.Slice(_position, bytes.Length).CopyTo(bytes);
        _position += bytes.Length;
        return values;
    }

    public readonly GgufFormatException Error(long offset, string reason) => new(offset, reason);

    private int ReadStringLength(long maxLength, string what)
    {
        var start = _position;
        var length = ReadUInt64();
        if (length > (ulong)maxLength)
            throw Error(start, $"{what} is {length} bytes long, more than the limit of {maxLength}");
        if (length > (ulong)Remaining)
            throw Error(start, $"{what} is {length} bytes long but only {Remaining} bytes remain in {Section}{LimitNote()}");
        return (int)length;
    }

    private readonly void Need(int bytes)
    {
        if (Remaining < bytes)
            throw PastEnd(bytes);
    }

    private readonly GgufFormatException PastEnd(long bytes) =>
        Error(_position, $"unexpected end of {Section}: {bytes} bytes needed but only {Remaining} remain{LimitNote()}");

    private readonly string LimitNote() =>
        _data.Length < fileLength ? $" within the header limit of {headerLimit} bytes" : $" (the file is {fileLength} bytes)";
}
