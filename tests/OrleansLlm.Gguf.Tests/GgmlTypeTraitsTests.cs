using OrleansLlm.Gguf.Writing;

namespace OrleansLlm.Gguf.Tests;

public class GgmlTypeTraitsTests
{
    // (type, elements per block, bytes per block) from ggml's type traits and ggml-common.h.
    public static TheoryData<GgmlType, int, int> Sizes => new()
    {
        { GgmlType.F32, 1, 4 }, { GgmlType.F16, 1, 2 }, { GgmlType.Q4_0, 32, 18 }, { GgmlType.Q4_1, 32, 20 },
        { GgmlType.Q5_0, 32, 22 }, { GgmlType.Q5_1, 32, 24 }, { GgmlType.Q8_0, 32, 34 }, { GgmlType.Q8_1, 32, 36 },
        { GgmlType.Q2_K, 256, 84 }, { GgmlType.Q3_K, 256, 110 }, { GgmlType.Q4_K, 256, 144 }, { GgmlType.Q5_K, 256, 176 },
        { GgmlType.Q6_K, 256, 210 }, { GgmlType.Q8_K, 256, 292 }, { GgmlType.IQ2_XXS, 256, 66 }, { GgmlType.IQ2_XS, 256, 74 },
        { GgmlType.IQ3_XXS, 256, 98 }, { GgmlType.IQ1_S, 256, 50 }, { GgmlType.IQ4_NL, 32, 18 }, { GgmlType.IQ3_S, 256, 110 },
        { GgmlType.IQ2_S, 256, 82 }, { GgmlType.IQ4_XS, 256, 136 }, { GgmlType.I8, 1, 1 }, { GgmlType.I16, 1, 2 },
        { GgmlType.I32, 1, 4 }, { GgmlType.I64, 1, 8 }, { GgmlType.F64, 1, 8 }, { GgmlType.IQ1_M, 256, 56 },
        { GgmlType.BF16, 1, 2 }, { GgmlType.TQ1_0, 256, 54 }, { GgmlType.TQ2_0, 256, 66 }, { GgmlType.MXFP4, 32, 17 },
        { GgmlType.NVFP4, 64, 36 }, { GgmlType.Q1_0, 128, 18 }, { GgmlType.Q2_0, 64, 18 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_ggml_type_has_ggmls_block_and_type_size(GgmlType type, int blockSize, int typeSize)
    {
        Assert.Equal(blockSize, GgmlTypeTraits.BlockSize(type));
        Assert.Equal(typeSize, GgmlTypeTraits.TypeSize(type));
    }

    [Fact]
    public void The_table_covers_every_type_the_enum_names()
    {
        Assert.Equal(Sizes.Count, GgmlTypeTraits.All.Count);
    }

    [Fact]
    public void A_bf16_tensor_weighs_two_bytes_per_element_unlike_the_seeds_zero()
    {
        var writer = new GgufWriter();
        writer.AddTensor("w", GgmlType.BF16, [4096, 4096]);

        var tensor = Assert.Single(GgufReader.Read(writer.ToBytes()).Tensors);

        Assert.Equal(4096L * 4096 * 2, tensor.ByteSize);
    }

    [Fact]
    public void A_q4_k_tensor_size_is_blocks_times_block_bytes()
    {
        // llama3-8B's ffn_gate: 4096 × 14336 in Q4_K = 229,376 blocks of 144 bytes.
        Assert.Equal(33_030_144L, GgmlTypeTraits.ByteSize(GgmlType.Q4_K, 4096L * 14336));
    }

    [Theory]
    [InlineData(4u)]
    [InlineData(5u)]
    [InlineData(31u)]
    [InlineData(36u)]
    [InlineData(1000u)]
    public void Removed_and_unknown_ids_are_not_known(uint id) => Assert.False(GgmlTypeTraits.IsKnown(id));
}
