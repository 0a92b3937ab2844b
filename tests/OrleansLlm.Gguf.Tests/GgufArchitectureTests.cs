using OrleansLlm.Gguf.Writing;

namespace OrleansLlm.Gguf.Tests;

public class GgufArchitectureTests
{
    [Fact]
    public void Architecture_keys_are_read_under_the_files_architecture_prefix()
    {
        var bytes = new GgufWriter()
            .Add("general.architecture", "qwen2")
            .Add("general.file_type", 15u)
            .Add("qwen2.context_length", GgufValue.FromUInt64(32768))
            .Add("qwen2.embedding_length", 3584u)
            .Add("qwen2.block_count", GgufValue.FromInt32(28))
            .Add("qwen2.attention.head_count", 28u)
            .Add("qwen2.attention.head_count_kv", 4u)
            .Add("qwen2.attention.key_length", 128u)
            .Add("qwen2.attention.value_length", 128u)
            .Add("qwen2.feed_forward_length", 18944u)
            .Add("qwen2.expert_count", 8u)
            .Add("qwen2.vocab_size", 152064u)
            .Add("tokenizer.chat_template", "{{ messages }}")
            .Add("llama.block_count", 99u)
            .ToBytes();

        var arch = GgufReader.Read(bytes).Architecture;

        Assert.Equal("qwen2", arch.Name);
        Assert.Equal(32768, arch.ContextLength);
        Assert.Equal(3584, arch.EmbeddingLength);
        Assert.Equal(28, arch.BlockCount);
        Assert.Equal(28, arch.HeadCount);
        Assert.Equal(4, arch.HeadCountKv);
        Assert.Equal(128, arch.KeyLength);
        Assert.Equal(128, arch.ValueLength);
        Assert.Equal(18944, arch.FeedForwardLength);
        Assert.Equal(8, arch.ExpertCount);
        Assert.Equal(152064, arch.VocabSize);
        Assert.Equal(15, arch.FileType);
        Assert.Equal("Q4_K_M", arch.FileTypeName);
        Assert.Equal("{{ messages }}", arch.ChatTemplate);
    }

    [Fact]
    public void A_per_layer_kv_head_count_array_is_read_per_layer_and_as_its_maximum()
    {
        var bytes = new GgufWriter()
            .Add("general.architecture", "gemma3")
            .Add("gemma3.attention.head_count_kv", GgufArray.Of([8, 0, 4, 8]))
            .ToBytes();

        var arch = GgufReader.Read(bytes).Architecture;

        Assert.Equal(8, arch.HeadCountKv);
        Assert.Equal(0, arch.HeadCountKvOfLayer(1));
        Assert.Equal(4, arch.HeadCountKvOfLayer(2));
        Assert.Null(arch.HeadCountKvOfLayer(4));
    }

    [Fact]
    public void Missing_keys_are_null_not_guesses()
    {
        var arch = GgufReader.Read(new GgufWriter().Add("general.architecture", "llama").ToBytes()).Architecture;

        Assert.Null(arch.HeadCountKv);
        Assert.Null(arch.KeyLength);
        Assert.Null(arch.VocabSize);
        Assert.Null(arch.ChatTemplate);
    }

    [Fact]
    public void Tensors_group_into_layers_by_name_and_layer_sizes_add_up()
    {
        var writer = new GgufWriter();
        writer.AddTensor("token_embd.weight", GgmlType.F16, [64, 100]);
        writer.AddTensor("blk.0.attn_q.weight", GgmlType.F32, [64, 64]);
        writer.AddTensor("blk.0.ffn_up.weight", GgmlType.Q8_0, [64, 128]);
        writer.AddTensor("blk.1.attn_q.weight", GgmlType.F32, [64, 64]);
        writer.AddTensor("blk.10.attn_q.weight", GgmlType.F32, [64, 64]);
        writer.AddTensor("output_norm.weight", GgmlType.F32, [64]);
        writer.AddTensor("output.weight", GgmlType.Q6_K, [256, 100]);

        var file = GgufReader.Read(writer.ToBytes());

        Assert.Equal(64 * 100 * 2, file.LayerSizes["token_embd"]);
        Assert.Equal((64 * 64 * 4) + (64 * 128 / 32 * 34), file.RepeatingLayerSize(0));
        Assert.Equal(64 * 64 * 4, file.RepeatingLayerSize(1));
        Assert.Equal(64 * 64 * 4, file.RepeatingLayerSize(10));
        Assert.Equal(0, file.RepeatingLayerSize(2));
        Assert.Equal(64 * 4, file.LayerSizes["output_norm"]);
        Assert.Equal(100 * 210, file.LayerSizes["output"]);
        Assert.Equal(file.TensorBytes, file.LayerSizes.Values.Sum());
        Assert.Equal((64 * 100) + (64 * 64 * 3) + (64 * 128) + 64 + (256 * 100), file.ParameterCount);
    }
}
