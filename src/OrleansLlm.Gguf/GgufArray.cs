using System.Collections;

namespace OrleansLlm.Gguf;

/// <summary>
/// A metadata array: its element type, its length, and its elements when they were loaded.
/// Arrays longer than the reader's limit are not loaded (<see cref="IsLoaded"/> is false) but
/// keep their length, which the estimator needs (the vocabulary size is the token array's length).
/// </summary>
public sealed class GgufArray : IEquatable<GgufArray>
{
    private readonly Array? _values;

    private GgufArray(GgufValueType elementType, long count, Array? values)
    {
        ElementType = elementType;
        Count = count;
        _values = values;
    }

    public GgufValueType ElementType { get; }

    /// <summary>Number of elements in the file, loaded or not.</summary>
    public long Count { get; }

    public bool IsLoaded => _values is not null;

    public static GgufArray Of(byte[] values) => Create(GgufValueType.UInt8, values);
    public static GgufArray Of(sbyte[] values) => Create(GgufValueType.Int8, values);
    public static GgufArray Of(ushort[] values) => Create(GgufValueType.UInt16, values);
    public static GgufArray Of(short[] values) => Create(GgufValueType.Int16, values);
    public static GgufArray Of(uint[] values) => Create(GgufValueType.UInt32, values);
    public static GgufArray Of(int[] values) => Create(GgufValueType.Int32, values);
    public static GgufArray Of(float[] values) => Create(GgufValueType.Float32, values);
    public static GgufArray Of(bool[] values) => Create(GgufValueType.Bool, values);
    public static GgufArray Of(ulong[] values) => Create(GgufValueType.UInt64, values);
    public static GgufArray Of(long[] values) => Create(GgufValueType.Int64, values);
    public static GgufArray Of(double[] values) => Create(GgufValueType.Float64, values);
    public static GgufArray Of(string[] values) => Create(GgufValueType.String, values);
    public static GgufArray Of(GgufArray[] values) => Create(GgufValueType.Array, values);

    /// <summary>An array whose elements were skipped: only its type and length are known.</summary>
    public static GgufArray NotLoaded(GgufValueType elementType, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new(elementType, count, null);
    }

    /// <summary>The elements as a span of the CLR type matching <see cref="ElementType"/>.</summary>
    /// <exception cref="InvalidOperationException">The array was not loaded, or <typeparamref name="T"/> does not match.</exception>
    public ReadOnlySpan<T> AsSpan<T>() => _values switch
    {
        null => throw new InvalidOperationException($"GGUF array of {Count} {ElementType} elements was not loaded (longer than the read limit)"),
        T[] typed => typed,
        _ => throw new InvalidOperationException($"GGUF array holds {ElementType}, not {typeof(T).Name}"),
    };

    /// <summary>Any integer element type as longs (per-layer arrays are i32 in one file, u32 in another).</summary>
    public bool TryGetIntegers(out long[] values)
    {
        long[]? converted = _values switch
        {
            byte[] a => Array.ConvertAll(a, v => (long)v),
            sbyte[] a => Array.ConvertAll(a, v => (long)v),
            ushort[] a => Array.ConvertAll(a, v => (long)v),
            short[] a => Array.ConvertAll(a, v => (long)v),
            uint[] a => Array.ConvertAll(a, v => (long)v),
            int[] a => Array.ConvertAll(a, v => (long)v),
            long[] a => (long[])a.Clone(),
            ulong[] a when a.All(v => v <= long.MaxValue) => Array.ConvertAll(a, v => (long)v),
            _ => null,
        };
        values = converted ?? [];
        return converted is not null;
    }

    /// <summary>The elements as plain objects for serialisation, or null when not loaded.</summary>
    public object? ToObject() => _values switch
    {
        null => null,
        GgufArray[] nested => nested.Select(a => a.ToObject()).ToArray(),
        _ => _values,
    };

    internal Array? RawValues => _values;

    public bool Equals(GgufArray? other)
    {
        if (other is null || ElementType != other.ElementType || Count != other.Count)
            return false;
        if (_values is null || other._values is null)
            return _values is null && other._values is null;
        return _values switch
        {
            float[] a => a.AsSpan().SequenceEqual(other.AsSpan<float>()) || BitsEqual(a, (float[])other._values),
            double[] a => a.AsSpan().SequenceEqual(other.AsSpan<double>()) || BitsEqual(a, (double[])other._values),
            _ => StructuralComparisons.StructuralEqualityComparer.Equals(_values, other._values),
        };
    }

    public override bool Equals(object? obj) => Equals(obj as GgufArray);

    public override int GetHashCode() => HashCode.Combine(ElementType, Count);

    public override string ToString() =>
        IsLoaded ? $"[{Count} × {ElementType}]" : $"[{Count} × {ElementType}, not loaded]";

    private static GgufArray Create(GgufValueType type, Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(type, values.Length, values);
    }

    // NaN payloads must survive a round trip, and NaN != NaN in SequenceEqual.
    private static bool BitsEqual(float[] a, float[] b) =>
        a.Length == b.Length && a.Select(BitConverter.SingleToUInt32Bits).SequenceEqual(b.Select(BitConverter.SingleToUInt32Bits));

    private static bool BitsEqual(double[] a, double[] b) =>
        a.Length == b.Length && a.Select(BitConverter.DoubleToUInt64Bits).SequenceEqual(b.Select(BitConverter.DoubleToUInt64Bits));
}
