using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>Real-shaped model headers (small vocabularies, so they are quick to write) and GPUs.</summary>
internal static class TestModels
{
    public static readonly GgufFile Llama8B = Read(ShapedModelSpec.Llama3_8B_Q4_K_M with { VocabSize = 2000, MergeCount = 0 });
    public static readonly GgufFile Llama1B = Read(ShapedModelSpec.Llama3_2_1B_Q8_0 with { VocabSize = 2000, MergeCount = 0 });
    public static readonly GgufFile Llama70B = Read(ShapedModelSpec.Llama3_70B_Q4_K_M with { VocabSize = 2000, MergeCount = 0 });
    public static readonly GgufFile Llama8BF16 = Read(ShapedModelSpec.Llama3_8B_F16 with { VocabSize = 2000, MergeCount = 0 });

    /// <summary>Writes the shape as a sparse file (the data section would not fit in memory), reads its header, deletes it.</summary>
    public static GgufFile Read(ShapedModelSpec spec)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ollm-shape-{Guid.NewGuid():N}.gguf");
        try
        {
            ShapedModel.Write(path, spec);
            return GgufReader.ReadFile(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static GpuInfo Gpu(string id, double gib, string library = GpuLibraries.Cuda, double? freeGib = null) => new()
    {
        Id = id,
        Library = library,
        TotalMemory = (long)(gib * Bytes.GiB),
        FreeMemory = (long)((freeGib ?? gib) * Bytes.GiB),
        MinimumMemory = GpuLibraries.MinimumMemory(library),
    };

    public static GpuInfo Cpu(double gib, double? freeGib = null) => GpuInfo.Cpu((long)(gib * Bytes.GiB), (long)((freeGib ?? gib) * Bytes.GiB));
}
