namespace OrleansLlm.Gguf;

/// <summary>Facts about <see cref="GgufValueType"/> that the reader and writer share.</summary>
internal static class GgufValueTypes
{
    public static bool IsDefined(uint code) => code <= (uint)GgufValueType.Float64;

    /// <summary>Bytes one value occupies on disk, or 0 for the variable-length string and array.</summary>
    public static int FixedSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => 0,
    };

    /// <summary>
    /// The fewest bytes one element can take on disk: a string is at least its 8-byte length,
    /// a nested array at least its 4-byte type and 8-byte count. Used to reject absurd counts
    /// before anything is allocated or walked.
    /// </summary>
    public static int MinimumSize(GgufValueType type) => type switch
    {
        GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => FixedSize(type),
    };
}
