namespace OrleansLlm.Gguf.Reading;

/// <summary>Decodes one metadata value of any type, loading or skipping arrays by the options' limit.</summary>
internal static class GgufValueReader
{
    public static GgufValue Read(ref GgufCursor cursor, GgufReaderOptions options, GgufValueType type, int depth) => type switch
    {
        GgufValueType.UInt8 => GgufValue.FromUInt8(cursor.ReadByte()),
        GgufValueType.Int8 => GgufValue.FromInt8(unchecked((sbyte)cursor.ReadByte())),
        GgufValueType.UInt16 => GgufValue.FromUInt16(cursor.ReadUInt16()),
        GgufValueType.Int16 => GgufValue.FromInt16(unchecked((short)cursor.ReadUInt16())),
        GgufValueType.UInt32 => GgufValue.FromUInt32(cursor.ReadUInt32()),
        GgufValueType.Int32 => GgufValue.FromInt32(unchecked((int)cursor.ReadUInt32())),
        GgufValueType.Float32 => GgufValue.FromFloat32(BitConverter.UInt32BitsToSingle(cursor.ReadUInt32())),
        GgufValueType.Bool => GgufValue.FromBool(cursor.ReadByte() != 0),
        GgufValueType.UInt64 => GgufValue.FromUInt64(cursor.ReadUInt64()),
        GgufValueType.Int64 => GgufValue.FromInt64(unchecked((long)cursor.ReadUInt64())),
        GgufValueType.Float64 => GgufValue.FromFloat64(BitConverter.UInt64BitsToDouble(cursor.ReadUInt64())),
        GgufValueType.String => GgufValue.FromString(cursor.ReadString(options.MaxStringLength, "string value")),
        GgufValueType.Array => GgufValue.FromArray(ReadArray(ref cursor, options, depth + 1)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static GgufArray ReadArray(ref GgufCursor cursor, GgufReaderOptions options, int depth)
    {
        var (elementType, count) = ReadArrayHeader(ref cursor, options, depth);
        if (count > options.ArrayLoadLimit)
        {
            SkipElements(ref cursor, options, elementType, count, depth);
            return GgufArray.NotLoaded(elementType, count);
        }
        var n = (int)count;
        return elementType switch
        {
            GgufValueType.UInt8 => GgufArray.Of(cursor.ReadArray<byte>(n)),
            GgufValueType.Int8 => GgufArray.Of(cursor.ReadArray<sbyte>(n)),
            GgufValueType.UInt16 => GgufArray.Of(cursor.ReadArray<ushort>(n)),
            GgufValueType.Int16 => GgufArray.Of(cursor.ReadArray<short>(n)),
            GgufValueType.UInt32 => GgufArray.Of(cursor.ReadArray<uint>(n)),
            GgufValueType.Int32 => GgufArray.Of(cursor.ReadArray<int>(n)),
            GgufValueType.Float32 => GgufArray.Of(cursor.ReadArray<float>(n)),
            GgufValueType.Bool => GgufArray.Of(Array.ConvertAll(cursor.ReadArray<byte>(n), b => b != 0)),
            GgufValueType.UInt64 => GgufArray.Of(cursor.ReadArray<ulong>(n)),
            GgufValueType.Int64 => GgufArray.Of(cursor.ReadArray<long>(n)),
            GgufValueType.Float64 => GgufArray.Of(cursor.ReadArray<double>(n)),
            GgufValueType.String => GgufArray.Of(ReadStrings(ref cursor, options, n)),
            GgufValueType.Array => GgufArray.Of(ReadNested(ref cursor, options, n, depth)),
            _ => throw new ArgumentOutOfRangeException(nameof(elementType), elementType, null),
        };
    }

    private static (GgufValueType ElementType, long Count) ReadArrayHeader(ref GgufCursor cursor, GgufReaderOptions options, int depth)
    {
        var start = cursor.Position;
        if (depth > options.MaxArrayDepth)
            throw cursor.Error(start, $"arrays nested more than {options.MaxArrayDepth} deep");
        var typeCode = cursor.ReadUInt32();
        if (!GgufValueTypes.IsDefined(typeCode))
            throw cursor.Error(start, $"unknown array element type {typeCode}");
        var elementType = (GgufValueType)typeCode;
        var count = cursor.ReadUInt64();
        if (count > (ulong)options.MaxArrayLength)
            throw cursor.Error(start, $"array declares {count} {elementType} elements, more than the limit of {options.MaxArrayLength}");
        // Every element takes at least this many bytes: a count the file cannot hold is absurd.
        var minimum = (ulong)GgufValueTypes.MinimumSize(elementType);
        if (count > (ulong)cursor.Remaining / minimum)
            throw cursor.Error(start, $"array declares {count} {elementType} elements, which need at least {count * minimum} bytes but only {cursor.Remaining} remain");
        return (elementType, (long)count);
    }

    private static void SkipElements(ref GgufCursor cursor, GgufReaderOptions options, GgufValueType elementType, long count, int depth)
    {
        switch (elementType)
        {
            case GgufValueType.String:
                cursor.SkipStrings(count, options.MaxStringLength, "string in an array");
                break;
            case GgufValueType.Array:
                for (long i = 0; i < count; i++)
                {
                    var (innerType, innerCount) = ReadArrayHeader(ref cursor, options, depth + 1);
                    SkipElements(ref cursor, options, innerType, innerCount, depth + 1);
                }
                break;
            default:
                cursor.Skip(count * GgufValueTypes.FixedSize(elementType));
                break;
        }
    }

    private static string[] ReadStrings(ref GgufCursor cursor, GgufReaderOptions options, int count)
    {
        var strings = new string[count];
        for (var i = 0; i < strings.Length; i++)
            strings[i] = cursor.ReadString(options.MaxStringLength, "string in an array");
        return strings;
    }

    private static GgufArray[] ReadNested(ref GgufCursor cursor, GgufReaderOptions options, int count, int depth)
    {
        var arrays = new GgufArray[count];
        for (var i = 0; i < arrays.Length; i++)
            arrays[i] = ReadArray(ref cursor, options, depth + 1);
        return arrays;
    }
}
