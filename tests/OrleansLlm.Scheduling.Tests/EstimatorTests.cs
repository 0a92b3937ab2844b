using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Gguf.Writing;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;
using static OrleansLlm.Scheduling.Tests.TestModels;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>Where the estimator departs from the seed, and the knobs it honours.</summary>
public class EstimatorTests
{
    [Fact]
    public void Bf16_weights_count_two_bytes_each_where_the_seed_counted_none()
    {
        var bf16 = Read(ShapedModelSpec.Llama3_2_1B_Q8_0 with { VocabSize = 2000, MergeCount = 0, FileType = GgufFileTypes.MostlyBF16 });

        var estimate = MemoryEstimator.Estimate(bf16, [Gpu("0", 80)], RunnerOptions.Default);

        Assert.True(estimate.MemoryWeights > 2L * 1_000_000_000, $"weights {estimate.MemoryWeights}");
    }

    [Fact]
    public void The_kv_cache_of_llama3_8b_at_2048_is_256_mib()
    {
        var estimate = MemoryEstimator.Estimate(Llama8B, [Gpu("0", 80)], RunnerOptions.Default);

        Assert.Equal(256 * Bytes.MiB, estimate.Kv);
    }

    [Fact]
    public void A_q8_kv_cache_with_flash_attention_is_about_half_the_f16_one()
    {
        var f16 = MemoryEstimator.Estimate(Llama8B, [Gpu("0", 80)], RunnerOptions.Default with { NumCtx = 8192 });
        var q8 = MemoryEstimator.Estimate(Llama8B, [Gpu("0", 80)], RunnerOptions.Default with { NumCtx = 8192, KvCacheType = KvCacheType.Q8_0, FlashAttention = true });

        Assert.Equal(f16.Kv * 34 / 64, q8.Kv);
    }

    [Fact]
    public void Num_gpu_caps_the_layers_offloaded()
    {
        var estimate = MemoryEstimator.Estimate(Llama8B, [Gpu("0", 80)], RunnerOptions.Default with { NumGpu = 10 });

        Assert.Equal(10, estimate.Layers);
        Assert.True(estimate.Fits);
        Assert.True(estimate.RamSize > 0);
    }

    [Fact]
    public void Gpu_overhead_leaves_room_free_and_so_places_fewer_layers()
    {
        GpuInfo[] gpu = [Gpu("0", 6)];

        var plain = MemoryEstimator.Estimate(Llama8B, gpu, RunnerOptions.Default);
        var withOverhead = MemoryEstimator.Estimate(Llama8B, gpu, RunnerOptions.Default, settings: new() { GpuOverhead = 2 * Bytes.GiB });

        Assert.True(withOverhead.Layers < plain.Layers, $"{withOverhead.Layers} vs {plain.Layers}");
    }

    [Fact]
    public void A_longer_context_needs_more_memory()
    {
        var short_ = MemoryEstimator.Estimate(Llama8B, [Gpu("0", 80)], RunnerOptions.Default with { NumCtx = 2048 });
        var long_ = MemoryEstimator.Estimate(Llama8B, [Gpu("0", 80)], RunnerOptions.Default with { NumCtx = 32768 });

        Assert.Equal(16 * short_.Kv, long_.Kv);
        Assert.True(long_.VramSize > short_.VramSize + (3 * Bytes.GiB));
    }

    [Fact]
    public void A_projector_loads_on_the_first_gpu_and_raises_the_context_to_2048()
    {
        var projector = Projector();
        var without = MemoryEstimator.Estimate(Llama8B, [Gpu("0", 24), Gpu("1", 24)], RunnerOptions.Default with { NumCtx = 512 });
        var with = MemoryEstimator.Estimate(Llama8B, [Gpu("0", 24), Gpu("1", 24)], RunnerOptions.Default with { NumCtx = 512 }, [projector]);

        Assert.Equal(projector.TensorBytes, with.ProjectorSize);
        Assert.Equal(4 * without.Kv, with.Kv);
        Assert.True(with.GpuSizes[0] - without.GpuSizes[0] > projector.TensorBytes);
    }

    [Fact]
    public void A_model_without_a_block_count_is_a_clear_error()
    {
        var writer = new GgufWriter().Add("general.architecture", "llama").Add("llama.embedding_length", 64u);
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        var model = GgufReader.Read(stream.ToArray());

        var error = Assert.Throws<ModelMetadataException>(() => MemoryEstimator.Estimate(model, [Gpu("0", 8)], RunnerOptions.Default));
        Assert.Contains("llama.block_count", error.Message);
    }

    [Fact]
    public void Every_gpu_with_a_layer_gets_the_graph_and_the_total_adds_up()
    {
        var estimate = MemoryEstimator.Estimate(Llama70B, [Gpu("0", 16), Gpu("1", 16)], RunnerOptions.Default);

        Assert.Equal(estimate.GpuSizes.Sum(), estimate.VramSize);
        Assert.Equal(estimate.Layers, estimate.LayerCounts.Sum());
        Assert.Equal($"{estimate.LayerCounts[0]},{estimate.LayerCounts[1]}", estimate.TensorSplit);
        Assert.True(estimate.TotalSize > estimate.VramSize);
    }

    private static GgufFile Projector()
    {
        var writer = new GgufWriter()
            .Add("general.architecture", "clip")
            .Add("clip.vision.attention.head_count", 16u)
            .Add("clip.vision.embedding_length", 1024u)
            .Add("clip.vision.image_size", 336u)
            .Add("clip.vision.patch_size", 14u);
        writer.AddTensor("v.patch_embd.weight", GgmlType.F16, [14, 14, 3, 1024]);
        writer.AddTensor("v.class_embd", GgmlType.F32, [1024]);
        writer.AddTensor("mm.0.weight", GgmlType.F16, [1024, 4096]);
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return GgufReader.Read(stream.ToArray());
    }
}
