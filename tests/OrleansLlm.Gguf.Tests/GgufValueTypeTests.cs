using OrleansLlm.Gguf.Writing;

namespace OrleansLlm.Gguf.Tests;

public class GgufValueTypeTests
{
    public static TheoryData<GgufValueType, GgufValue> Scalars => new()
    {
        { GgufValueType.UInt8, GgufValue.FromUInt8(byte.MaxValue) },
        { GgufValueType.Int8, GgufValue.FromInt8(sbyte.MinValue) },
        { GgufValueType.UInt16, GgufValue.FromUInt16(ushort.MaxValue) },
        { GgufValueType.Int16, GgufValue.FromInt16(short.MinValue) },
        { GgufValueType.UInt32, GgufValue.FromUInt32(uint.MaxValue) },
        { GgufValueType.Int32, GgufValue.FromInt32(int.MinValue) },
        { GgufValueType.Float32, GgufValue.FromFloat32(-0.000123f) },
        { GgufValueType.Bool, GgufValue.FromBool(true) },
        { GgufValueType.String, GgufValue.FromString("tokenizer ✓ 𝄞") },
        { GgufValueType.UInt64, GgufValue.FromUInt64(ulong.MaxValue) },
        { GgufValueType.Int64, GgufValue.FromInt64(long.MinValue) },
        { GgufValueType.Float64, GgufValue.FromFloat64(double.Epsilon) },
        { GgufValueType.Array, GgufValue.FromArray(GgufArray.Of([1.5, -2.5])) },
    };

    public static TheoryData<GgufArray> Arrays => new()
    {
        GgufArray.Of(new byte[] { 0, 1, 255 }),
        GgufArray.Of(new sbyte[] { -128, 0, 127 }),
        GgufArray.Of(new ushort[] { 0, 65535 }),
        GgufArray.Of(new short[] { -32768, 32767 }),
        GgufArray.Of(new uint[] { 0, uint.MaxValue }),
        GgufArray.Of(new[] { int.MinValue, int.MaxValue }),
        GgufArray.Of(new[] { float.NaN, float.NegativeInfinity, 1.25f }),
        GgufArray.Of(new[] { true, false, true }),
        GgufArray.Of(new[] { "", "a", "ünïcödé", new string('x', 100_000) }),
        GgufArray.Of(new ulong[] { 0, ulong.MaxValue }),
        GgufArray.Of(new[] { long.MinValue, long.MaxValue }),
        GgufArray.Of(new[] { double.NaN, -0.0, 1e308 }),
        GgufArray.Of(new[] { GgufArray.Of(new[] { GgufArray.Of(new[] { 7 }) }), GgufArray.Of(Array.Empty<string>()) }),
    };

    [Theory]
    [MemberData(nameof(Scalars))]
    public void Every_value_type_reads_back_as_written(GgufValueType type, GgufValue value)
    {
        var file = GgufReader.Read(new GgufWriter().Add("key", value).ToBytes());

        var read = file.Metadata["key"];
        Assert.Equal(type, read.Type);
        Assert.Equal(value, read);
    }

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Arrays_of_every_element_type_read_back_as_written(GgufArray array)
    {
        var file = GgufReader.Read(new GgufWriter().Add("array", array).ToBytes(), GgufReaderOptions.LoadAllArrays);

        var read = file.Metadata["array"].AsArray();
        Assert.True(read.IsLoaded);
        Assert.Equal(array.ElementType, read.ElementType);
        Assert.Equal(array, read);
    }

    [Fact]
    public void Nested_arrays_keep_their_structure()
    {
        var nested = GgufArray.Of([GgufArray.Of([1u, 2u]), GgufArray.Of(["x", "y", "z"])]);
        var read = GgufReader.Read(new GgufWriter().Add("n", nested).ToBytes()).Metadata["n"].AsArray();

        Assert.Equal(GgufValueType.Array, read.ElementType);
        var inner = read.AsSpan<GgufArray>();
        Assert.Equal([1u, 2u], inner[0].AsSpan<uint>().ToArray());
        Assert.Equal(["x", "y", "z"], inner[1].AsSpan<string>().ToArray());
    }

    [Fact]
    public void Integer_keys_read_the_same_whatever_integer_type_the_writer_chose()
    {
        var bytes = new GgufWriter()
            .Add("a", GgufValue.FromUInt8(7)).Add("b", GgufValue.FromInt32(7)).Add("c", GgufValue.FromUInt64(7))
            .Add("d", GgufValue.FromInt16(-7)).Add("e", GgufValue.FromFloat32(7)).ToBytes();
        var metadata = GgufReader.Read(bytes).Metadata;

        Assert.Equal(7, metadata.GetInteger("a"));
        Assert.Equal(7, metadata.GetInteger("b"));
        Assert.Equal(7, metadata.GetInteger("c"));
        Assert.Equal(-7, metadata.GetInteger("d"));
        Assert.Null(metadata.GetInteger("e"));
        Assert.Equal(7.0, metadata.GetDouble("e"));
    }

    [Fact]
    public void Asking_a_value_for_the_wrong_type_says_what_it_is()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GgufValue.FromUInt32(1).AsString());
        Assert.Contains("UInt32", error.Message);
    }
}
