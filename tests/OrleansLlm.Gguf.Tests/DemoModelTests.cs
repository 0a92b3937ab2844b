using System.Security.Cryptography;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Gguf.Tests;

public class DemoModelTests
{
    [Fact]
    public void The_same_seed_writes_the_same_bytes_and_another_seed_does_not()
    {
        using var dir = TestFiles.CreateDirectory();
        DemoModel.Write(dir.File("a.gguf"), DemoModelOptions.Tiny);
        DemoModel.Write(dir.File("b.gguf"), DemoModelOptions.Tiny);
        DemoModel.Write(dir.File("c.gguf"), DemoModelOptions.Tiny with { Seed = 7 });

        Assert.Equal(Hash(dir.File("a.gguf")), Hash(dir.File("b.gguf")));
        Assert.NotEqual(Hash(dir.File("a.gguf")), Hash(dir.File("c.gguf")));
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    public void The_demo_model_has_llamas_keys_tensors_and_an_spm_vocabulary(GgmlType weightType)
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("demo.gguf");
        DemoModel.Write(path, DemoModelOptions.Tiny with { WeightType = weightType });

        var file = GgufReader.ReadFile(path, GgufReaderOptions.LoadAllArrays);

        Assert.Equal("llama", file.Architecture.Name);
        Assert.Equal(2, file.Architecture.BlockCount);
        Assert.Equal(320, file.Architecture.VocabSize);
        Assert.Equal(ChatTemplates.ChatMlTools, file.Architecture.ChatTemplate);
        Assert.Equal(3 + (2 * 9), file.Tensors.Count);
        Assert.All(file.Tensors.Where(t => t.Name.EndsWith("norm.weight", StringComparison.Ordinal)), t => Assert.Equal(GgmlType.F32, t.Type));
        Assert.Equal(weightType, file.FindTensor("blk.0.attn_q.weight")!.Type);
        var tokens = file.Metadata.GetArray("tokenizer.ggml.tokens")!.AsSpan<string>();
        var types = file.Metadata.GetArray("tokenizer.ggml.token_type")!.AsSpan<int>();
        Assert.Equal(["<unk>", "<s>", "</s>", "<0x00>"], tokens[..4].ToArray());
        Assert.Equal("<0xFF>", tokens[258]);
        Assert.Equal(6, types[100]);
        Assert.Equal(tokens.Length, new HashSet<string>(tokens.ToArray()).Count);
        // The file ends with the last tensor's data, padded at most to the alignment; each tensor starts where the one before ends (aligned).
        var end = file.DataOffset + file.Tensors[^1].Offset + file.Tensors[^1].ByteSize;
        Assert.InRange(file.FileLength - end, 0, file.Alignment - 1);
        for (var i = 1; i < file.Tensors.Count; i++)
        {
            var previous = file.Tensors[i - 1].Offset + file.Tensors[i - 1].ByteSize;
            Assert.Equal((previous + file.Alignment - 1) / file.Alignment * file.Alignment, file.Tensors[i].Offset);
        }
    }

    [Fact]
    public void Impossible_dimensions_are_refused_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => DemoModel.CreateWriter(DemoModelOptions.Tiny with { HeadCount = 3 }));
        Assert.Contains("heads", error.Message);
        Assert.Throws<ArgumentException>(() => DemoModel.CreateWriter(DemoModelOptions.Tiny with { VocabSize = 10 }));
        Assert.Throws<ArgumentException>(() => DemoModel.CreateWriter(DemoModelOptions.Tiny with { WeightType = GgmlType.Q4_K }));
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    public async Task LLamaSharp_loads_the_demo_model_and_generates_the_tokens_asked_for(GgmlType weightType)
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("demo.gguf");
        DemoModel.Write(path, DemoModelOptions.Tiny with { WeightType = weightType });
        var parameters = new ModelParams(path) { GpuLayerCount = 0, ContextSize = 256, Threads = 2, LoadMode = LLamaLoadMode.MemoryMap };

        using var weights = await LLamaWeights.LoadFromFileAsync(parameters);
        Assert.Equal(320, weights.Vocab.Count);
        Assert.Equal(256, weights.ContextSize);

        var first = await Generate(weights, parameters, seed: 11);
        var again = await Generate(weights, parameters, seed: 11);

        Assert.Equal(24, first.Pieces);
        Assert.Equal(first.Text, again.Text);
        Assert.False(string.IsNullOrWhiteSpace(first.Text));
    }

    [Fact]
    public void LLamaSharp_applies_the_demo_models_chat_template()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("demo.gguf");
        DemoModel.Write(path);
        using var weights = LLamaWeights.LoadFromFile(new ModelParams(path) { GpuLayerCount = 0, ContextSize = 256 });

        var template = new LLamaTemplate(weights) { AddAssistant = true };
        template.Add("user", "hello");
        var prompt = Encoding.UTF8.GetString(template.Apply());

        Assert.Equal("<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public void LLamaSharp_tokenises_text_with_the_demo_vocabulary_and_back()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("demo.gguf");
        DemoModel.Write(path);
        var parameters = new ModelParams(path) { GpuLayerCount = 0, ContextSize = 256 };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        using var context = weights.CreateContext(parameters);

        const string text = "hello world, the model ✓!";
        var tokens = context.Tokenize(text, addBos: false, special: false);
        var decoder = new StreamingTokenDecoder(context);
        decoder.AddRange(tokens);
        var back = decoder.Read();

        Assert.DoesNotContain(tokens, t => (int)t == DemoVocabulary.Unknown);
        Assert.Equal(text, back.TrimStart());
    }

    private static async Task<(string Text, int Pieces)> Generate(LLamaWeights weights, ModelParams parameters, uint seed)
    {
        // Random weights sample end-of-sequence early; a -inf bias on it forces the full count
        // (PreventEOS has no effect in LLamaSharp 0.30).
        var sampling = new DefaultSamplingPipeline
        {
            Seed = seed,
            LogitBias = new Dictionary<LLamaToken, float> { [weights.Vocab.EOS!.Value] = float.NegativeInfinity },
        };
        var executor = new StatelessExecutor(weights, parameters);
        var text = new StringBuilder();
        var pieces = 0;
        await foreach (var piece in executor.InferAsync("hello world", new InferenceParams { MaxTokens = 24, SamplingPipeline = sampling }))
        {
            text.Append(piece);
            pieces++;
        }
        return (text.ToString(), pieces);
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
