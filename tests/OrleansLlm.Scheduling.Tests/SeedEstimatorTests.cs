using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Writing;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>The seed's estimator test (llm/memory_test.go): a 5-layer dummy llama, its worked numbers, and the two-GPU split table.</summary>
public class SeedEstimatorTests
{
    // Derived from the dummy model: 4-byte blocks plus 2048 ctx × 256 × 32 KV heads × 2 bytes of f16 KV each.
    private const long LayerSize = 33_554_436;
    private const long GraphFullOffload = 171_968_512;
    private const long GraphPartialOffload = 202_377_216;
    private const long MemoryLayerOutput = 4;
    private const long GpuMinimumMemory = 2048;

    private static readonly GgufFile Dummy = DummyModel();

    [Fact]
    public void On_cpu_nothing_is_offloaded_and_there_is_no_graph()
    {
        var estimate = MemoryEstimator.Estimate(Dummy, [GpuInfo.Cpu(0, 0)], RunnerOptions.Default);

        Assert.Equal(0, estimate.Layers);
        Assert.Equal(0, estimate.Graph);
        Assert.Equal(0, estimate.VramSize);
    }

    [Fact]
    public void The_dummy_models_layer_and_graph_sizes_are_the_seeds()
    {
        var estimate = MemoryEstimator.Estimate(Dummy, [Gpu(long.MaxValue / 4)], RunnerOptions.Default);

        Assert.Equal(GraphFullOffload, estimate.GraphFullOffload);
        Assert.Equal(GraphPartialOffload, estimate.GraphPartialOffload);
        Assert.Equal(MemoryLayerOutput, estimate.MemoryLayerOutput);
        Assert.Equal(5 * (LayerSize - 4), estimate.Kv);
        Assert.Equal(5 * LayerSize, estimate.MemoryWeights);
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(2, 1, 2, 1)]
    [InlineData(2, 2, 2, 2)]
    [InlineData(1, 2, 1, 2)]
    [InlineData(3, 3, 3, 3)]
    [InlineData(4, 4, 3, 3)]
    [InlineData(6, 6, 3, 3)]
    [InlineData(0, 3, 0, 3)]
    public void Layers_split_over_two_uneven_gpus_as_the_seed_splits_them(int layer0, int layer1, int expect0, int expect1)
    {
        // Each GPU has room for its minimum, the buffer layer, N layers and the graph, plus a byte;
        // the output layer's 4 bytes go to the GPU that has layers first.
        long free0 = 0, free1 = 0;
        if (layer0 > 0)
            free0 += MemoryLayerOutput;
        else
            free1 += MemoryLayerOutput;
        free0 += GpuMinimumMemory + LayerSize + (layer0 * LayerSize) + 1 + Math.Max(GraphFullOffload, GraphPartialOffload);
        free1 += GpuMinimumMemory + LayerSize + (layer1 * LayerSize) + 1 + Math.Max(GraphFullOffload, GraphPartialOffload);

        var estimate = MemoryEstimator.Estimate(Dummy, [Gpu(free0, "0"), Gpu(free1, "1")], RunnerOptions.Default);

        Assert.Equal(expect0 + expect1, estimate.Layers);
        Assert.Equal($"{expect0},{expect1}", estimate.TensorSplit);
        var layerSums = estimate.GpuSizes.Sum();
        if (estimate.Layers < 5 + 1)
        {
            Assert.True(estimate.VramSize < estimate.TotalSize);
            Assert.Equal(estimate.VramSize, layerSums);
        }
        else
        {
            Assert.Equal(estimate.VramSize, estimate.TotalSize);
            Assert.Equal(estimate.TotalSize, layerSums);
        }
    }

    private static GpuInfo Gpu(long free, string id = "0") => new()
    {
        Id = id, Library = GpuLibraries.Cuda, TotalMemory = free, FreeMemory = free, MinimumMemory = GpuMinimumMemory,
    };

    internal static GgufFile DummyModel()
    {
        var writer = new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("general.name", "name")
            .Add("llama.context_length", 32u)
            .Add("llama.embedding_length", 4096u)
            .Add("llama.block_count", 5u)
            .Add("llama.attention.head_count", 32u)
            .Add("llama.attention.head_count_kv", 32u)
            .Add("tokenizer.ggml.tokens", GgufArray.Of([" "]))
            .Add("tokenizer.ggml.scores", GgufArray.Of([0f]))
            .Add("tokenizer.ggml.token_type", GgufArray.Of([0]));
        for (var i = 0; i < 5; i++)
            writer.AddTensor($"blk.{i}.attn.weight", GgmlType.F32, [1, 1, 1, 1]);
        writer.AddTensor("output.weight", GgmlType.F32, [1, 1, 1, 1]);
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return GgufReader.Read(stream.ToArray());
    }
}
