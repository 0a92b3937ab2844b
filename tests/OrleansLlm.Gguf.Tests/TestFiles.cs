using OrleansLlm.Gguf.Writing;

namespace OrleansLlm.Gguf.Tests;

internal static class TestFiles
{
    public static byte[] ToBytes(this GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>A fresh directory under the temp folder, removed with the returned handle.</summary>
    public static TemporaryDirectory CreateDirectory() => new();

    /// <summary>A small valid file with every value type and a few tensors: the mutation test's seed.</summary>
    public static byte[] EveryValueTypeFile()
    {
        var writer = new GgufWriter();
        writer.Add("general.architecture", "llama")
              .Add("u8", GgufValue.FromUInt8(200))
              .Add("i8", GgufValue.FromInt8(-100))
              .Add("u16", GgufValue.FromUInt16(60000))
              .Add("i16", GgufValue.FromInt16(-30000))
              .Add("u32", GgufValue.FromUInt32(4_000_000_000))
              .Add("i32", GgufValue.FromInt32(-2_000_000_000))
              .Add("f32", GgufValue.FromFloat32(3.25f))
              .Add("bool", GgufValue.FromBool(true))
              .Add("string", GgufValue.FromString("héllo wörld ✓"))
              .Add("u64", GgufValue.FromUInt64(ulong.MaxValue))
              .Add("i64", GgufValue.FromInt64(long.MinValue))
              .Add("f64", GgufValue.FromFloat64(-1e300))
              .Add("strings", GgufArray.Of(["a", "bc", "", "déf"]))
              .Add("ints", GgufArray.Of([1, -2, 3]))
              .Add("nested", GgufArray.Of([GgufArray.Of([1u, 2u]), GgufArray.Of(["x"]), GgufArray.Of(Array.Empty<double>())]))
              .Add("llama.block_count", 2u);
        writer.AddTensor("token_embd.weight", GgmlType.F32, [8, 4], s => s.Write(new byte[128]));
        writer.AddTensor("blk.0.attn_q.weight", GgmlType.Q8_0, [32, 2], s => s.Write(new byte[68]));
        writer.AddTensor("blk.1.attn_q.weight", GgmlType.F16, [3], s => s.Write(new byte[6]));
        return writer.ToBytes();
    }
}

internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ollm-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a native library; the OS temp cleaner gets it.
        }
    }
}
