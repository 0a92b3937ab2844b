namespace OrleansLlm.Gguf;

/// <summary>
/// Block sizes (elements per block) and type sizes (bytes per block) of every ggml type,
/// as ggml's type traits and the block structs of ggml-common.h define them.
/// </summary>
/// <remarks>
/// Ollama's seed table differs in three places, all fixed here: BF16 had type size 0 (BF16
/// tensors weighed nothing), Q8_1 was 40 bytes (ggml: 2 halves + 32 quants = 36) and Q8_K
/// 290 bytes (ggml: float + 256 quants + 16 int16 sums = 292).
/// </remarks>
public static class GgmlTypeTraits
{
    private static readonly (int BlockSize, int TypeSize)[] Table = BuildTable();

    /// <summary>Every type this reader accepts, in id order.</summary>
    public static IReadOnlyList<GgmlType> All { get; } = Enum.GetValues<GgmlType>();

    public static bool IsKnown(uint id) => id < (uint)Table.Length && Table[id].BlockSize != 0;

    /// <summary>Elements per block: 1 for plain types, 32, 64, 128 or 256 for quantised ones.</summary>
    public static int BlockSize(GgmlType type) => Get(type).BlockSize;

    /// <summary>Bytes per block.</summary>
    public static int TypeSize(GgmlType type) => Get(type).TypeSize;

    /// <summary>Bytes a tensor of <paramref name="elements"/> elements takes, or null if it overflows a long.</summary>
    public static long? ByteSize(GgmlType type, long elements)
    {
        var (blockSize, typeSize) = Get(type);
        var blocks = elements / blockSize;
        return blocks > long.MaxValue / typeSize ? null : blocks * typeSize;
    }

    private static (int BlockSize, int TypeSize) Get(GgmlType type) =>
        IsKnown((uint)type)
            ? Table[(int)type]
            : throw new ArgumentOutOfRangeException(nameof(type), type, "not a ggml type this library knows");

    private static (int, int)[] BuildTable()
    {
        const int qk = 32;   // QK4_0 … QK8_1, QK4_NL, QK_MXFP4
        const int qkK = 256; // QK_K
        var table = new (int, int)[(int)GgmlType.Q2_0 + 1];
        table[(int)GgmlType.F32] = (1, 4);
        table[(int)GgmlType.F16] = (1, 2);
        table[(int)GgmlType.Q4_0] = (qk, 2 + qk / 2);                          // d, qs
        table[(int)GgmlType.Q4_1] = (qk, 4 + qk / 2);                          // d, m, qs
        table[(int)GgmlType.Q5_0] = (qk, 2 + 4 + qk / 2);                      // d, qh, qs
        table[(int)GgmlType.Q5_1] = (qk, 4 + 4 + qk / 2);                      // d, m, qh, qs
        table[(int)GgmlType.Q8_0] = (qk, 2 + qk);                              // d, qs
        table[(int)GgmlType.Q8_1] = (qk, 4 + qk);                              // d, s, qs
        table[(int)GgmlType.Q2_K] = (qkK, qkK / 16 + qkK / 4 + 4);             // scales, qs, d, dmin
        table[(int)GgmlType.Q3_K] = (qkK, qkK / 8 + qkK / 4 + 12 + 2);         // hmask, qs, scales, d
        table[(int)GgmlType.Q4_K] = (qkK, 4 + 12 + qkK / 2);                   // d, dmin, scales, qs
        table[(int)GgmlType.Q5_K] = (qkK, 4 + 12 + qkK / 8 + qkK / 2);         // d, dmin, scales, qh, qs
        table[(int)GgmlType.Q6_K] = (qkK, qkK / 2 + qkK / 4 + qkK / 16 + 2);   // ql, qh, scales, d
        table[(int)GgmlType.Q8_K] = (qkK, 4 + qkK + qkK / 16 * 2);             // d (float), qs, bsums
        table[(int)GgmlType.IQ2_XXS] = (qkK, 2 + qkK / 8 * 2);
        table[(int)GgmlType.IQ2_XS] = (qkK, 2 + qkK / 8 * 2 + qkK / 32);
        table[(int)GgmlType.IQ3_XXS] = (qkK, 2 + 3 * qkK / 8);
        table[(int)GgmlType.IQ1_S] = (qkK, 2 + qkK / 8 + qkK / 32 * 2);
        table[(int)GgmlType.IQ4_NL] = (qk, 2 + qk / 2);
        table[(int)GgmlType.IQ3_S] = (qkK, 2 + qkK / 4 + qkK / 32 + qkK / 8 + qkK / 64);
        table[(int)GgmlType.IQ2_S] = (qkK, 2 + qkK / 4 + qkK / 32 + qkK / 32);
        table[(int)GgmlType.IQ4_XS] = (qkK, 2 + 2 + qkK / 64 + qkK / 2);
        table[(int)GgmlType.I8] = (1, 1);
        table[(int)GgmlType.I16] = (1, 2);
        table[(int)GgmlType.I32] = (1, 4);
        table[(int)GgmlType.I64] = (1, 8);
        table[(int)GgmlType.F64] = (1, 8);
        table[(int)GgmlType.IQ1_M] = (qkK, qkK / 8 + qkK / 16 + qkK / 32);
        table[(int)GgmlType.BF16] = (1, 2);
        table[(int)GgmlType.TQ1_0] = (qkK, (qkK - 4 * qkK / 64) / 5 + qkK / 64 + 2);
        table[(int)GgmlType.TQ2_0] = (qkK, qkK / 4 + 2);
        table[(int)GgmlType.MXFP4] = (qk, 1 + qk / 2);                         // e (E8M0), qs
        table[(int)GgmlType.NVFP4] = (64, 64 / 16 + 64 / 2);                   // 4 UE4M3 scales, qs
        table[(int)GgmlType.Q1_0] = (128, 2 + 128 / 8);
        table[(int)GgmlType.Q2_0] = (64, 2 + 64 / 4);
        return table;
    }
}
