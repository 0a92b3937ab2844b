using System.Text;
using OrleansLlm.Gguf.Writing;

namespace OrleansLlm.Gguf.Models;

/// <summary>Writes <see cref="ShapedModelSpec"/> files: a real model's full header over a sparse data section.</summary>
public static class ShapedModel
{
    public static void Write(string path, ShapedModelSpec spec) => CreateWriter(spec).WriteFile(path);

    public static GgufWriter CreateWriter(ShapedModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var writer = new GgufWriter();
        AddMetadata(writer, spec);
        AddTensors(writer, spec);
        return writer;
    }

    /// <summary>
    /// The type llama.cpp's quantiser gives a 2-D weight for a file type. Q4_K_M spends Q6_K on
    /// the output, and on attn_v and ffn_down in the layers <c>use_more_bits</c> selects.
    /// </summary>
    public static GgmlType WeightType(int fileType, string role, int layer, int layerCount) => fileType switch
    {
        GgufFileTypes.AllF32 => GgmlType.F32,
        GgufFileTypes.MostlyF16 => GgmlType.F16,
        GgufFileTypes.MostlyBF16 => GgmlType.BF16,
        GgufFileTypes.MostlyQ8_0 => GgmlType.Q8_0,
        GgufFileTypes.MostlyQ4_0 => role == "output" ? GgmlType.Q6_K : GgmlType.Q4_0,
        GgufFileTypes.MostlyQ4_K_M => role switch
        {
            "output" => GgmlType.Q6_K,
            "attn_v" or "ffn_down" when UseMoreBits(layer, layerCount) => GgmlType.Q6_K,
            _ => GgmlType.Q4_K,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(fileType), fileType, "shaped files support F32, F16, BF16, Q8_0, Q4_0 and Q4_K_M"),
    };

    // llama.cpp: the first and last eighth of the layers, and every third in between.
    private static bool UseMoreBits(int layer, int layerCount) =>
        layer < layerCount / 8 || layer >= 7 * layerCount / 8 || (layer - (layerCount / 8)) % 3 == 2;

    private static void AddMetadata(GgufWriter w, ShapedModelSpec s)
    {
        var arch = s.Architecture;
        w.Add("general.architecture", arch)
         .Add("general.name", s.Name)
         .Add($"{arch}.block_count", (uint)s.BlockCount)
         .Add($"{arch}.context_length", (uint)s.ContextLength)
         .Add($"{arch}.embedding_length", (uint)s.EmbeddingLength)
         .Add($"{arch}.feed_forward_length", (uint)s.FeedForwardLength)
         .Add($"{arch}.attention.head_count", (uint)s.HeadCount)
         .Add($"{arch}.attention.head_count_kv", (uint)s.HeadCountKv)
         .Add($"{arch}.rope.freq_base", s.RopeFreqBase)
         .Add($"{arch}.attention.layer_norm_rms_epsilon", 1e-5f)
         .Add("general.file_type", (uint)s.FileType)
         .Add($"{arch}.vocab_size", (uint)s.VocabSize)
         .Add($"{arch}.rope.dimension_count", (uint)(s.EmbeddingLength / s.HeadCount))
         .Add("tokenizer.ggml.model", s.TokenizerModel)
         .Add("tokenizer.ggml.pre", "llama-bpe");

        // Token and merge strings of realistic lengths, so that walking them costs what it
        // costs in a real file (about 8 MiB for Llama 3's vocabulary and merges).
        var random = new Random(s.VocabSize);
        var tokens = new string[s.VocabSize];
        for (var i = 0; i < tokens.Length; i++)
            tokens[i] = SyntheticToken(random, i);
        var types = new int[s.VocabSize];
        Array.Fill(types, 1);
        var scores = new float[s.VocabSize];
        for (var i = 0; i < scores.Length; i++)
            scores[i] = -i;
        w.Add("tokenizer.ggml.tokens", GgufArray.Of(tokens))
         .Add("tokenizer.ggml.token_type", GgufArray.Of(types))
         .Add("tokenizer.ggml.scores", GgufArray.Of(scores));
        if (s.MergeCount > 0)
        {
            var merges = new string[s.MergeCount];
            for (var i = 0; i < merges.Length; i++)
                merges[i] = tokens[random.Next(256, tokens.Length)] + " " + tokens[random.Next(256, tokens.Length)];
            w.Add("tokenizer.ggml.merges", GgufArray.Of(merges));
        }
        w.Add("tokenizer.ggml.bos_token_id", (uint)Math.Min(128000, s.VocabSize - 2))
         .Add("tokenizer.ggml.eos_token_id", (uint)Math.Min(128009, s.VocabSize - 1));
        if (s.ChatTemplate is not null)
            w.Add("tokenizer.chat_template", s.ChatTemplate);
        w.Add("general.quantization_version", 2u);
    }

    private static void AddTensors(GgufWriter w, ShapedModelSpec s)
    {
        long embd = s.EmbeddingLength, ff = s.FeedForwardLength, vocab = s.VocabSize;
        var kv = embd / s.HeadCount * s.HeadCountKv;
        GgmlType Type(string role, int layer) => WeightType(s.FileType, role, layer, s.BlockCount);

        w.AddTensor("token_embd.weight", Type("token_embd", 0), [embd, vocab]);
        for (var i = 0; i < s.BlockCount; i++)
        {
            w.AddTensor($"blk.{i}.attn_norm.weight", GgmlType.F32, [embd]);
            w.AddTensor($"blk.{i}.attn_q.weight", Type("attn_q", i), [embd, embd]);
            w.AddTensor($"blk.{i}.attn_k.weight", Type("attn_k", i), [embd, kv]);
            w.AddTensor($"blk.{i}.attn_v.weight", Type("attn_v", i), [embd, kv]);
            w.AddTensor($"blk.{i}.attn_output.weight", Type("attn_output", i), [embd, embd]);
            w.AddTensor($"blk.{i}.ffn_norm.weight", GgmlType.F32, [embd]);
            w.AddTensor($"blk.{i}.ffn_gate.weight", Type("ffn_gate", i), [embd, ff]);
            w.AddTensor($"blk.{i}.ffn_up.weight", Type("ffn_up", i), [embd, ff]);
            w.AddTensor($"blk.{i}.ffn_down.weight", Type("ffn_down", i), [ff, embd]);
        }
        w.AddTensor("output_norm.weight", GgmlType.F32, [embd]);
        if (!s.TiedOutput)
            w.AddTensor("output.weight", Type("output", 0), [embd, vocab]);
    }

    private static string SyntheticToken(Random random, int index)
    {
        if (index < 256)
            return ((char)(index < 33 ? 0x100 + index : index)).ToString();
        // Byte-level BPE tokens: often a leading 'Ġ' (a space), then 1–10 letters; mean about 6 UTF-8 bytes.
        var builder = new StringBuilder(12);
        if (random.Next(2) == 0)
            builder.Append('\u0120');
        var letters = 1 + random.Next(2, 10) - random.Next(0, 3);
        for (var i = 0; i < letters; i++)
            builder.Append((char)('a' + random.Next(26)));
        return builder.ToString();
    }
}
