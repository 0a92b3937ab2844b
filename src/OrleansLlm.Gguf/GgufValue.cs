using System.Globalization;

namespace OrleansLlm.Gguf;

/// <summary>
/// One metadata value: a scalar of one of the GGUF value types, a string or an array.
/// A struct so that the scalars of a header cost no allocation.
/// </summary>
public readonly struct GgufValue : IEquatable<GgufValue>
{
    private readonly ulong _bits;
    private readonly object? _reference;

    private GgufValue(GgufValueType type, ulong bits, object? reference)
    {
        Type = type;
        _bits = bits;
        _reference = reference;
    }

    public GgufValueType Type { get; }

    public static GgufValue FromUInt8(byte value) => new(GgufValueType.UInt8, value, null);
    public static GgufValue FromInt8(sbyte value) => new(GgufValueType.Int8, unchecked((ulong)value), null);
    public static GgufValue FromUInt16(ushort value) => new(GgufValueType.UInt16, value, null);
    public static GgufValue FromInt16(short value) => new(GgufValueType.Int16, unchecked((ulong)value), null);
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, value, null);
    public static GgufValue FromInt32(int value) => new(GgufValueType.Int32, unchecked((ulong)value), null);
    public static GgufValue FromFloat32(float value) => new(GgufValueType.Float32, BitConverter.SingleToUInt32Bits(value), null);
    public static GgufValue FromBool(bool value) => new(GgufValueType.Bool, value ? 1UL : 0UL, null);
    public static GgufValue FromUInt64(ulong value) => new(GgufValueType.UInt64, value, null);
    public static GgufValue FromInt64(long value) => new(GgufValueType.Int64, unchecked((ulong)value), null);
    public static GgufValue FromFloat64(double value) => new(GgufValueType.Float64, BitConverter.DoubleToUInt64Bits(value), null);

    public static GgufValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.String, 0, value);
    }

    public static GgufValue FromArray(GgufArray value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.Array, 0, value);
    }

    /// <summary>A scalar from its raw little-endian bits, as the reader decodes it.</summary>
    internal static GgufValue FromBits(GgufValueType type, ulong bits) => new(type, bits, null);

    public byte AsUInt8() => (byte)Expect(GgufValueType.UInt8);
    public sbyte AsInt8() => unchecked((sbyte)Expect(GgufValueType.Int8));
    public ushort AsUInt16() => (ushort)Expect(GgufValueType.UInt16);
    public short AsInt16() => unchecked((short)Expect(GgufValueType.Int16));
    public uint AsUInt32() => (uint)Expect(GgufValueType.UInt32);
    public int AsInt32() => unchecked((int)Expect(GgufValueType.Int32));
    public float AsFloat32() => BitConverter.UInt32BitsToSingle((uint)Expect(GgufValueType.Float32));
    public bool AsBool() => Expect(GgufValueType.Bool) != 0;
    public ulong AsUInt64() => Expect(GgufValueType.UInt64);
    public long AsInt64() => unchecked((long)Expect(GgufValueType.Int64));
    public double AsFloat64() => BitConverter.UInt64BitsToDouble(Expect(GgufValueType.Float64));

    public string AsString() => Type == GgufValueType.String
        ? (string)_reference!
        : throw WrongType(GgufValueType.String);

    public GgufArray AsArray() => Type == GgufValueType.Array
        ? (GgufArray)_reference!
        : throw WrongType(GgufValueType.Array);

    /// <summary>
    /// The value as a signed integer whatever integer type the file used (writers differ:
    /// the same key is u32 in one file and i32 or u64 in another). False for non-integers and
    /// for a u64 above <see cref="long.MaxValue"/>.
    /// </summary>
    public bool TryGetInteger(out long value)
    {
        switch (Type)
        {
            case GgufValueType.UInt8 or GgufValueType.UInt16 or GgufValueType.UInt32:
                value = (long)_bits;
                return true;
            case GgufValueType.Int8:
                value = unchecked((sbyte)_bits);
                return true;
            case GgufValueType.Int16:
                value = unchecked((short)_bits);
                return true;
            case GgufValueType.Int32:
                value = unchecked((int)_bits);
                return true;
            case GgufValueType.Int64:
                value = unchecked((long)_bits);
                return true;
            case GgufValueType.UInt64 when _bits <= long.MaxValue:
                value = (long)_bits;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>The value as a double for any numeric type; false for strings, bools and arrays.</summary>
    public bool TryGetDouble(out double value)
    {
        switch (Type)
        {
            case GgufValueType.Float32:
                value = AsFloat32();
                return true;
            case GgufValueType.Float64:
                value = AsFloat64();
                return true;
            case GgufValueType.UInt64:
                value = _bits;
                return true;
            default:
                var isInteger = TryGetInteger(out var integer);
                value = integer;
                return isInteger;
        }
    }

    /// <summary>
    /// The value as a plain .NET object for serialisation: numbers, bool, string, or an array
    /// of those; an array that was not loaded (too long) is null, as Ollama shows it.
    /// </summary>
    public object? ToObject() => Type switch
    {
        GgufValueType.UInt8 => AsUInt8(),
        GgufValueType.Int8 => AsInt8(),
        GgufValueType.UInt16 => AsUInt16(),
        GgufValueType.Int16 => AsInt16(),
        GgufValueType.UInt32 => AsUInt32(),
        GgufValueType.Int32 => AsInt32(),
        GgufValueType.Float32 => AsFloat32(),
        GgufValueType.Bool => AsBool(),
        GgufValueType.UInt64 => AsUInt64(),
        GgufValueType.Int64 => AsInt64(),
        GgufValueType.Float64 => AsFloat64(),
        GgufValueType.String => AsString(),
        GgufValueType.Array => AsArray().ToObject(),
        _ => null,
    };

    /// <summary>Raw bits of a scalar (the writer's view).</summary>
    internal ulong Bits => _bits;

    public bool Equals(GgufValue other) =>
        Type == other.Type && _bits == other._bits && Equals(_reference, other._reference);

    public override bool Equals(object? obj) => obj is GgufValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, _bits, _reference);

    public static bool operator ==(GgufValue left, GgufValue right) => left.Equals(right);

    public static bool operator !=(GgufValue left, GgufValue right) => !left.Equals(right);

    public override string ToString() => Type switch
    {
        GgufValueType.String => AsString(),
        GgufValueType.Array => AsArray().ToString(),
        _ => Convert.ToString(ToObject(), CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private ulong Expect(GgufValueType type) => Type == type ? _bits : throw WrongType(type);

    private InvalidOperationException WrongType(GgufValueType wanted) =>
        new($"GGUF value is {Type}, not {wanted}");
}
