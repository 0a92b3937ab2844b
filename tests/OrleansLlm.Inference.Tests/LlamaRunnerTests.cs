using System.Text;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Writing;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Inference.Tests;

public sealed class LlamaRunnerTests : IAsyncLifetime
{
    private ILlmRunner _runner = null!;

    public async Task InitializeAsync() => _runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny), null, CancellationToken.None);

    public async Task DisposeAsync() => await _runner.DisposeAsync();

    [Fact]
    public async Task The_same_seed_gives_the_same_text_and_another_seed_another()
    {
        var a = await Generate(Request(seed: 7, tokens: 24));
        var b = await Generate(Request(seed: 7, tokens: 24));
        var c = await Generate(Request(seed: 8, tokens: 24));

        Assert.Equal(a.Text, b.Text);
        Assert.NotEqual(a.Text, c.Text);
        Assert.False(string.IsNullOrEmpty(a.Text));
    }

    [Fact]
    public async Task Num_predict_caps_the_tokens_generated()
    {
        // Seed 3 samples no end token in its first 10 tokens, so the cap is what ends it.
        var result = await Generate(Request(seed: 3, tokens: 10));

        Assert.Equal("length", result.Done.DoneReason);
        Assert.Equal(10, result.Done.Stats!.EvalCount);
    }

    [Fact]
    public async Task A_stop_string_ends_generation_and_is_not_emitted()
    {
        var free = await Generate(Request(seed: 11, tokens: 40));
        var stop = free.Text.Length > 12 ? free.Text.Substring(free.Text.Length / 2, 3) : free.Text[^2..];
        var expected = free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)];

        var request = Request(seed: 11, tokens: 40);
        var stopped = await Generate(request with { Sampling = request.Sampling with { Stop = [stop] } });

        Assert.Equal(expected, stopped.Text);
        Assert.Equal("stop", stopped.Done.DoneReason);
    }

    [Fact]
    public async Task Concurrent_requests_match_their_single_request_outputs()
    {
        var seeds = new[] { 21, 22, 23, 24, 25, 26, 27, 28 };
        var singles = new List<string>();
        foreach (var seed in seeds)
            singles.Add((await Generate(Greedy(seed, tokens: 16))).Text);

        var together = await Task.WhenAll(seeds.Select(seed => Generate(Greedy(seed, tokens: 16))));

        Assert.Equal(singles, together.Select(t => t.Text));
    }

    [Fact]
    public async Task Cancelling_one_request_does_not_disturb_the_others()
    {
        var expected = new[] { await Generate(Greedy(31, tokens: 24)), await Generate(Greedy(32, tokens: 24)) };
        using var cancel = new CancellationTokenSource();

        var first = Generate(Greedy(31, tokens: 24));
        var doomed = Generate(Greedy(99, tokens: 5000), cancel.Token);
        var second = Generate(Greedy(32, tokens: 24));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => doomed);
        Assert.Equal(expected[0].Text, (await first).Text);
        Assert.Equal(expected[1].Text, (await second).Text);
    }

    [Fact]
    public async Task Statistics_are_reported_as_ollama_reports_them()
    {
        var result = await Generate(Request(seed: 5, tokens: 8));
        var stats = result.Done.Stats!;

        Assert.True(stats.PromptEvalCount > 1);
        Assert.True(stats.EvalCount > 0);
        Assert.True(stats.TotalDurationNs >= stats.EvalDurationNs);
        Assert.True(stats.PromptEvalDurationNs > 0);
    }

    [Fact]
    public async Task Embeddings_are_one_unit_vector_per_input()
    {
        var vectors = await _runner.EmbedAsync(["hello world", "the model"], truncate: true, CancellationToken.None);

        Assert.Equal(2, vectors.Count);
        Assert.All(vectors, v => Assert.Equal(64, v.Length));
        Assert.All(vectors, v => Assert.InRange(MathF.Sqrt(v.Sum(x => x * x)), 0.999f, 1.001f));
        Assert.NotEqual(vectors[0], vectors[1]);
    }

    /// <summary>Different prompts, greedy: the same text whatever else shares the batch.</summary>
    private static GenerateRequest Greedy(int seed, int tokens) => Request(seed, tokens) with
    {
        Prompt = $"request {seed}: hello world, the model",
        Sampling = SamplingOptions.Default with { Seed = seed, NumPredict = tokens, Temperature = 0 },
    };

    [Fact]
    public async Task Streamed_pieces_are_whole_characters()
    {
        // A byte-level vocabulary samples UTF-8 fragments; no emitted piece may split a character.
        for (var seed = 40; seed < 46; seed++)
        {
            await foreach (var item in _runner.GenerateAsync(Request(seed, tokens: 64), CancellationToken.None))
            {
                if (item.Kind == GenerationEventKind.Token)
                    Assert.Equal(item.Text, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(item.Text!)));
            }
        }
    }

    [Fact]
    public async Task Format_json_constrains_the_output_to_json()
    {
        // "json" allows strings of any length, so the answer may be cut by num_predict: whatever
        // was generated must still be the start of valid JSON (and all of it, if it stopped).
        foreach (var seed in new[] { 9, 10, 11 })
        {
            var result = await Generate(Request(seed, tokens: 48) with { Format = "json" });

            Assert.StartsWith("{", result.Text, StringComparison.Ordinal);
            var reader = new System.Text.Json.Utf8JsonReader(Encoding.UTF8.GetBytes(result.Text), isFinalBlock: result.Done.DoneReason == "stop", default);
            while (reader.Read())
            {
            }
        }
    }

    [Fact]
    public async Task A_json_schema_constrains_the_output_to_its_shape()
    {
        // Every property is bounded (a boolean, an enum), so the grammar must end the answer well within num_predict;
        // all are required (without "required" JSON Schema lets each be left out).
        const string schema = """{"type":"object","properties":{"ok":{"type":"boolean"},"color":{"enum":["red","green","blue"]},"n":{"type":"integer"}},"required":["ok","color","n"]}""";

        var result = await Generate(Request(seed: 4, tokens: 200) with { Format = schema });

        Assert.Equal("stop", result.Done.DoneReason);
        using var json = System.Text.Json.JsonDocument.Parse(result.Text);
        Assert.Equal(["ok", "color", "n"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.True(json.RootElement.GetProperty("ok").ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False);
        Assert.Contains(json.RootElement.GetProperty("color").GetString(), new[] { "red", "green", "blue" });
        Assert.Equal(System.Text.Json.JsonValueKind.Number, json.RootElement.GetProperty("n").ValueKind);
    }

    [Fact]
    public async Task A_schema_answer_keeps_required_properties_enum_values_array_bounds_and_patterns()
    {
        // Every value is bounded, so the grammar must end each answer within num_predict.
        const string schema = """
            {"$defs":{"Tag":{"enum":["a",1,true,null]}},"type":"object","properties":{
              "id":{"type":"string","pattern":"^[a-z]{1,6}$"},
              "tags":{"type":"array","items":{"$ref":"#/$defs/Tag"},"minItems":1,"maxItems":3},
              "size":{"const":3},
              "code":{"type":"string","minLength":2,"maxLength":4}},
             "required":["id","tags"]}
            """;
        string[] order = ["id", "tags", "size", "code"];

        foreach (var seed in new[] { 12, 13, 14 })
        {
            var result = await Generate(Request(seed, tokens: 300) with { Format = schema });

            Assert.Equal("stop", result.Done.DoneReason);
            using var json = System.Text.Json.JsonDocument.Parse(result.Text);
            var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(order.Where(names.Contains), names); // only listed properties, in schema order
            Assert.Matches("^[a-z]{1,6}$", json.RootElement.GetProperty("id").GetString());
            var tags = json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetRawText()).ToList();
            Assert.InRange(tags.Count, 1, 3);
            Assert.All(tags, tag => Assert.Contains(tag, new[] { "\"a\"", "1", "true", "null" }));
            if (json.RootElement.TryGetProperty("size", out var size))
                Assert.Equal(3, size.GetInt32());
            if (json.RootElement.TryGetProperty("code", out var code))
                Assert.InRange(code.GetString()!.EnumerateRunes().Count(), 2, 4);
        }
    }

    [Fact]
    public async Task A_schema_with_an_unsupported_keyword_fails_that_request_naming_it()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Generate(Request(seed: 1, tokens: 4) with { Format = """{"type":"object","properties":{"x":{"not":{}}}}""" }));

        Assert.Contains("keyword 'not' is not supported (at #/properties/x)", error.Message);
        Assert.Equal(GenerationEventKind.Done, (await Generate(Request(seed: 1, tokens: 4))).Done.Kind); // the runner goes on
    }

    [Fact]
    public async Task A_format_that_is_neither_json_nor_a_schema_fails_that_request_only()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Generate(Request(seed: 1, tokens: 4) with { Format = "yaml please" }));

        Assert.Contains("format must be", error.Message);
        Assert.Equal(GenerationEventKind.Done, (await Generate(Request(seed: 1, tokens: 4))).Done.Kind); // the runner goes on
    }

    private static GenerateRequest Request(int seed, int tokens) => new()
    {
        Prompt = "hello world, the model",
        Raw = true,
        Sampling = SamplingOptions.Default with { Seed = seed, NumPredict = tokens, Temperature = 1.0f },
    };

    private async Task<(string Text, GenerationEvent Done)> Generate(GenerateRequest request, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        GenerationEvent? done = null;
        await foreach (var item in _runner.GenerateAsync(request, cancellationToken))
        {
            if (item.Kind == GenerationEventKind.Token)
                text.Append(item.Text);
            else if (item.Kind == GenerationEventKind.Done)
                done = item;
        }
        return (text.ToString(), done!);
    }
}

public sealed class LlamaLoadTests
{
    [Fact]
    public async Task The_chat_template_in_the_model_is_applied_to_messages()
    {
        var parameters = new LLama.Common.ModelParams(DemoModels.Tiny) { GpuLayerCount = 0 };
        using var weights = await LLama.LLamaWeights.LoadFromFileAsync(parameters);

        var prompt = OrleansLlm.Inference.Llama.PromptBuilder.Build(weights, new GenerateRequest { System = "be brief", Messages = [new("user", "hi")] });

        Assert.Equal("<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public async Task A_model_llama_cpp_rejects_fails_with_llama_cpps_reason_and_the_next_load_serves()
    {
        var demo = GgufReader.ReadFile(DemoModels.Tiny, GgufReaderOptions.LoadAllArrays);
        var bytes = await File.ReadAllBytesAsync(DemoModels.Tiny);
        var writer = new GgufWriter();
        foreach (var (key, value) in demo.Metadata.Where(e => e.Key != "llama.attention.layer_norm_rms_epsilon"))
            writer.Add(key, value);
        foreach (var t in demo.Tensors)
            writer.AddTensor(t.Name, t.Type, [.. t.Dimensions], s => s.Write(bytes, (int)(demo.DataOffset + t.Offset), (int)t.ByteSize));
        var path = Path.Combine(Path.GetDirectoryName(DemoModels.Tiny)!, "no-epsilon.gguf");
        writer.WriteFile(path);

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => DemoModels.Factory.LoadAsync(DemoModels.Request(path), null, CancellationToken.None));

        Assert.Contains("llama.attention.layer_norm_rms_epsilon", error.Message);
        await using var runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny), null, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(await RunnerAftermathTests.Text(runner, RunnerAftermathTests.Greedy(3, 8)))); // the next load serves
    }

    [Fact]
    public async Task A_cancelled_load_throws_cancellation_and_the_next_load_serves()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny), null, cancel.Token));

        await using var runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny), null, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(await RunnerAftermathTests.Text(runner, RunnerAftermathTests.Greedy(3, 8))));
    }

    [Fact]
    public async Task A_load_cancelled_while_reading_weights_throws_cancellation_and_the_next_load_serves()
    {
        var path = DemoModels.Write("cancel-midway", OrleansLlm.Gguf.Models.DemoModelOptions.Small with { WeightType = GgmlType.F16 });
        using var cancel = new CancellationTokenSource();
        var progress = new CancelOnProgress(cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DemoModels.Factory.LoadAsync(DemoModels.Request(path, parallel: 1), progress, cancel.Token));

        await using var runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(path, parallel: 1), null, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(await RunnerAftermathTests.Text(runner, RunnerAftermathTests.Greedy(3, 8))));
    }

    /// <summary>Cancels inline, on llama.cpp's own progress callback (Progress&lt;T&gt; would post it to the thread pool, maybe after the load).</summary>
    private sealed class CancelOnProgress(CancellationTokenSource cancel) : IProgress<float>
    {
        public void Report(float value)
        {
            if (value > 0)
                cancel.Cancel();
        }
    }

    [Fact]
    public void Load_parameters_follow_the_placement_not_llamasharps_defaults()
    {
        var parameters = DemoModels.Factory.Parameters(DemoModels.Request(DemoModels.Tiny, numCtx: 100_000, parallel: 2));

        Assert.Equal(0, parameters.GpuLayerCount);              // CPU placement: not LLamaSharp's 20
        Assert.Equal(512u, parameters.ContextSize);             // capped at 256 trained × 2 parallel
        Assert.Equal(2u, parameters.SeqMax);
        Assert.Equal(2, parameters.Threads);
        Assert.Equal(LLama.Native.LLamaLoadMode.MemoryMap, parameters.LoadMode);
    }
}

public class PromptFitTests
{
    [Fact]
    public void A_prompt_longer_than_the_context_keeps_its_start_and_its_most_recent_tokens()
    {
        var tokens = Enumerable.Range(0, 1000).Select(i => (LLama.Native.LLamaToken)i).ToArray();

        var fitted = OrleansLlm.Inference.Llama.LlamaSequence.Fit(tokens, context: 256, numKeep: 4);

        Assert.Equal(224, fitted.Length);
        Assert.Equal([0, 1, 2, 3], fitted[..4].Select(t => (int)t));
        Assert.Equal(999, (int)fitted[^1]);
        Assert.Equal(780, (int)fitted[4]);
    }

    [Fact]
    public void A_prompt_that_fits_is_untouched()
    {
        var tokens = Enumerable.Range(0, 100).Select(i => (LLama.Native.LLamaToken)i).ToArray();

        Assert.Same(tokens, OrleansLlm.Inference.Llama.LlamaSequence.Fit(tokens, context: 256, numKeep: 4));
    }
}
