using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Gguf.Tests;

public class ShapedModelTests
{
    [Fact]
    public void The_llama3_8b_shape_has_the_real_models_header_and_size()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("llama3-8b.gguf");
        ShapedModel.Write(path, ShapedModelSpec.Llama3_8B_Q4_K_M);

        var file = GgufReader.ReadFile(path);

        Assert.Equal(291, file.Tensors.Count);
        Assert.Equal(128_256, file.Architecture.VocabSize);
        Assert.Equal(280_147, file.Metadata.GetArray("tokenizer.ggml.merges")!.Count);
        Assert.False(file.Metadata.GetArray("tokenizer.ggml.merges")!.IsLoaded);
        Assert.Equal(128_256, file.Metadata.GetArray("tokenizer.ggml.scores")!.Count);
        Assert.Equal(128_256, file.Metadata.GetArray("tokenizer.ggml.token_type")!.Count);
        Assert.Equal("Q4_K_M", file.Architecture.FileTypeName);
        Assert.Equal(8, file.Architecture.HeadCountKv);
        // The published llama3 8B Q4_K_M file is 4,920,734,016 bytes; the shape lands within 0.5 %.
        Assert.InRange(file.FileLength, 4_896_000_000L, 4_945_000_000L);
        Assert.Equal(8_030_261_248L, file.ParameterCount);
        // Q4_K_M's mix: Q6_K output, and Q6_K attn_v/ffn_down in use_more_bits layers only.
        Assert.Equal(GgmlType.Q6_K, file.FindTensor("output.weight")!.Type);
        Assert.Equal(GgmlType.Q6_K, file.FindTensor("blk.0.attn_v.weight")!.Type);
        Assert.Equal(GgmlType.Q4_K, file.FindTensor("blk.4.attn_v.weight")!.Type);
        Assert.Equal(GgmlType.Q6_K, file.FindTensor("blk.6.ffn_down.weight")!.Type);
    }

    [Fact]
    public void A_shaped_file_keeps_its_data_section_sparse()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("llama3-8b.gguf");
        ShapedModel.Write(path, ShapedModelSpec.Llama3_8B_Q4_K_M);

        var header = GgufReader.ReadFile(path);

        Assert.True(header.FileLength > 4_000_000_000L);
        Assert.True(header.DataOffset < 16 * 1024 * 1024, $"header is {header.DataOffset} bytes");
    }

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Every_preset_writes_a_readable_file(string name)
    {
        var spec = ShapedModelSpec.Presets.Single(p => p.Name == name);
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File(name + ".gguf");
        ShapedModel.Write(path, spec);

        var file = GgufReader.ReadFile(path);

        Assert.Equal(spec.BlockCount, file.Architecture.BlockCount);
        Assert.Equal((spec.BlockCount * 9) + (spec.TiedOutput ? 2 : 3), file.Tensors.Count);
    }

    public static TheoryData<string> PresetNames => [.. ShapedModelSpec.Presets.Select(p => p.Name)];
}
