using System.Runtime.InteropServices;
using OrleansLlm.Gguf.Writing;

namespace OrleansLlm.Gguf.Models;

/// <summary>
/// Writes a llama-architecture GGUF with seeded random weights that llama.cpp loads and
/// generates from: no model can be downloaded here, so the project makes its own.
/// </summary>
public static class DemoModel
{
    /// <summary>Writes the model described by <paramref name="options"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, DemoModelOptions? options = null)
    {
        options ??= DemoModelOptions.Tiny;
        CreateWriter(options).WriteFile(path);
    }

    /// <summary>The writer with every key and tensor added, for callers that write to a stream.</summary>
    public static GgufWriter CreateWriter(DemoModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var vocabulary = DemoVocabulary.Create(options.VocabSize);
        var writer = new GgufWriter();
        AddMetadata(writer, options, vocabulary);
        AddTensors(writer, options);
        return writer;
    }

    private static void AddMetadata(GgufWriter w, DemoModelOptions o, DemoVocabulary vocabulary)
    {
        w.Add("general.architecture", "llama")
         .Add("general.name", o.Name)
         .Add("general.file_type", (uint)(o.WeightType == GgmlType.F16 ? GgufFileTypes.MostlyF16 : GgufFileTypes.AllF32))
         .Add("general.alignment", (uint)GgufReader.DefaultAlignment)
         .Add("llama.context_length", (uint)o.ContextLength)
         .Add("llama.embedding_length", (uint)o.EmbeddingLength)
         .Add("llama.block_count", (uint)o.BlockCount)
         .Add("llama.feed_forward_length", (uint)o.FeedForwardLength)
         .Add("llama.attention.head_count", (uint)o.HeadCount)
         .Add("llama.attention.head_count_kv", (uint)o.HeadCountKv)
         .Add("llama.attention.layer_norm_rms_epsilon", o.RmsEpsilon)
         .Add("llama.rope.dimension_count", (uint)o.HeadDimension)
         .Add("llama.rope.freq_base", o.RopeFreqBase)
         .Add("llama.vocab_size", (uint)o.VocabSize)
         .Add("tokenizer.ggml.model", "llama")
         .Add("tokenizer.ggml.tokens", GgufArray.Of([.. vocabulary.Tokens]))
         .Add("tokenizer.ggml.scores", GgufArray.Of([.. vocabulary.Scores]))
         .Add("tokenizer.ggml.token_type", GgufArray.Of([.. vocabulary.TokenTypes]))
         .Add("tokenizer.ggml.unknown_token_id", (uint)DemoVocabulary.Unknown)
         .Add("tokenizer.ggml.bos_token_id", (uint)DemoVocabulary.BeginOfSequence)
         .Add("tokenizer.ggml.eos_token_id", (uint)DemoVocabulary.EndOfSequence)
         .Add("tokenizer.ggml.add_bos_token", true)
         .Add("tokenizer.ggml.add_eos_token", false);
        if (o.ChatTemplate is not null)
            w.Add("tokenizer.chat_template", o.ChatTemplate);
    }

    private static void AddTensors(GgufWriter w, DemoModelOptions o)
    {
        // One generator, consumed in tensor order, makes the file a pure function of the seed.
        var random = new Random(o.Seed);
        long embd = o.EmbeddingLength, kv = (long)o.HeadDimension * o.HeadCountKv, ff = o.FeedForwardLength, vocab = o.VocabSize;

        void Matrix(string name, long columns, long rows) =>
            w.AddTensor(name, o.WeightType, [columns, rows], s => WriteRandom(s, columns * rows, o.WeightType, o.WeightScale, random));
        void Norm(string name) =>
            w.AddTensor(name, GgmlType.F32, [embd], s => WriteOnes(s, embd));

        Matrix("token_embd.weight", embd, vocab);
        for (var i = 0; i < o.BlockCount; i++)
        {
            Norm($"blk.{i}.attn_norm.weight");
            Matrix($"blk.{i}.attn_q.weight", embd, embd);
            Matrix($"blk.{i}.attn_k.weight", embd, kv);
            Matrix($"blk.{i}.attn_v.weight", embd, kv);
            Matrix($"blk.{i}.attn_output.weight", embd, embd);
            Norm($"blk.{i}.ffn_norm.weight");
            Matrix($"blk.{i}.ffn_gate.weight", embd, ff);
            Matrix($"blk.{i}.ffn_up.weight", embd, ff);
            Matrix($"blk.{i}.ffn_down.weight", ff, embd);
        }
        Norm("output_norm.weight");
        if (!o.TiedOutput)
            Matrix("output.weight", embd, vocab);
    }

    private static void WriteRandom(Stream destination, long count, GgmlType type, float scale, Random random)
    {
        const int chunk = 16 * 1024;
        var floats = new float[chunk];
        var halves = type == GgmlType.F16 ? new Half[chunk] : null;
        for (long done = 0; done < count; done += chunk)
        {
            var n = (int)Math.Min(chunk, count - done);
            for (var i = 0; i < n; i++)
                floats[i] = ((random.NextSingle() * 2f) - 1f) * scale;
            if (halves is null)
            {
                destination.Write(MemoryMarshal.AsBytes(floats.AsSpan(0, n)));
                continue;
            }
            for (var i = 0; i < n; i++)
                halves[i] = (Half)floats[i];
            destination.Write(MemoryMarshal.AsBytes(halves.AsSpan(0, n)));
        }
    }

    private static void WriteOnes(Stream destination, long count)
    {
        var ones = new float[count];
        Array.Fill(ones, 1f);
        destination.Write(MemoryMarshal.AsBytes(ones.AsSpan()));
    }
}
