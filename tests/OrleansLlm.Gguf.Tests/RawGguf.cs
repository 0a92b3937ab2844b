using System.Buffers.Binary;
using System.Text;

namespace OrleansLlm.Gguf.Tests;

/// <summary>Writes GGUF bytes field by field, including the impossible values a hostile file carries.</summary>
internal sealed class RawGguf
{
    private readonly MemoryStream _bytes = new();

    public long Length => _bytes.Length;

    public static RawGguf Header(uint version = 3, ulong tensors = 0, ulong entries = 0) =>
        new RawGguf().U32(GgufReader.Magic).U32(version).U64(tensors).U64(entries);

    public RawGguf U8(byte value)
    {
        _bytes.WriteByte(value);
        return this;
    }

    public RawGguf U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _bytes.Write(b);
        return this;
    }

    public RawGguf U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _bytes.Write(b);
        return this;
    }

    public RawGguf Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return U64((ulong)utf8.Length).Bytes(utf8);
    }

    public RawGguf Bytes(ReadOnlySpan<byte> value)
    {
        _bytes.Write(value);
        return this;
    }

    /// <summary>A u32 metadata entry.</summary>
    public RawGguf KvU32(string key, uint value) => Str(key).U32((uint)GgufValueType.UInt32).U32(value);

    /// <summary>A tensor-table entry.</summary>
    public RawGguf Tensor(string name, GgmlType type, ulong offset, params ulong[] dims)
    {
        Str(name).U32((uint)dims.Length);
        foreach (var d in dims)
            U64(d);
        return U32((uint)type).U64(offset);
    }

    /// <summary>Zero padding up to the next multiple of <paramref name="alignment"/>.</summary>
    public RawGguf Align(int alignment = 32)
    {
        while (_bytes.Length % alignment != 0)
            _bytes.WriteByte(0);
        return this;
    }

    public RawGguf Zeros(int count) => Bytes(new byte[count]);

    public byte[] ToArray() => _bytes.ToArray();
}
