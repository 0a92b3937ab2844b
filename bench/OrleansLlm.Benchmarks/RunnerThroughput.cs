using System.Diagnostics;
using System.Globalization;
using System.Text;
using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Inference.Llama;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Benchmarks;

/// <summary>
/// Aggregate tokens/s of the runner against a bare LLamaSharp BatchedExecutor loop, on the ~24M
/// parameter F16 demo model, at 1, 4 and 16 concurrent streams, in the same process and run.
/// Both decode greedily from the same prompts; the bare loop has no channels, no grain, no stop
/// strings — what the runner adds is the difference. Target: the runner ≥ 90 % of the bare loop.
/// </summary>
internal static class RunnerThroughput
{
    private const int TokensPerStream = 64;
    private const int ContextPerStream = 256;
    private static readonly int[] Concurrency = [1, 4, 16];

    public static async Task<int> Run(string resultsPath)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ollm-throughput-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            LlamaNative.EnsureLoaded(NullLogger.Instance); // before any other native call: quiet logs
            var path = Path.Combine(directory, "small-f16.gguf");
            DemoModel.Write(path, DemoModelOptions.Small with { WeightType = GgmlType.F16 });
            var table = new StringBuilder()
                .AppendLine("| streams | bare BatchedExecutor | runner | runner / bare |")
                .AppendLine("|---:|---:|---:|---:|");
            foreach (var streams in Concurrency)
            {
                // Warm both once, then take the better of three runs each, interleaved.
                await Bare(path, streams);
                await Runner(path, streams);
                double bare = 0, runner = 0;
                for (var i = 0; i < 3; i++)
                {
                    bare = Math.Max(bare, await Bare(path, streams));
                    runner = Math.Max(runner, await Runner(path, streams));
                }
                table.AppendLine(CultureInfo.InvariantCulture, $"| {streams} | {bare:0} tok/s | {runner:0} tok/s | {runner / bare:0.0%} |");
                Console.WriteLine(table.ToString().Split('\n')[^2]);
            }
            Console.WriteLine(table);
            await File.WriteAllTextAsync(resultsPath, $"""
                # Runner throughput vs a bare BatchedExecutor loop

                Measured {DateTime.UtcNow:yyyy-MM-dd} on the 2-core CI-class machine, CPU backend, 2 threads, demo model "small" in F16
                (24.2 M parameters, 46 MiB), {TokensPerStream} greedy tokens per stream, context {ContextPerStream} × streams, best of 3.
                Reproduce: `dotnet run -c Release --project bench/OrleansLlm.Benchmarks -- runner-throughput`

                {table}
                """);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static ModelParams Parameters(string path, int streams) => new(path)
    {
        GpuLayerCount = 0, ContextSize = (uint)(ContextPerStream * streams), BatchSize = 512, UBatchSize = 512,
        SeqMax = (uint)streams, Threads = 2, BatchThreads = 2, LoadMode = LLamaLoadMode.MemoryMap,
    };

    private static string Prompt(int i) => $"stream {i}: the model said hello to the cluster";

    private static async Task<double> Bare(string path, int streams)
    {
        var parameters = Parameters(path, streams);
        using var weights = await LLamaWeights.LoadFromFileAsync(parameters);
        using var executor = new BatchedExecutor(weights, parameters);
        var conversations = new List<(Conversation Conversation, GreedySamplingPipeline Sampler, int Count)>();
        for (var i = 0; i < streams; i++)
        {
            var conversation = executor.Create();
            conversation.Prompt(executor.Context.Tokenize(Prompt(i), addBos: true, special: true));
            conversations.Add((conversation, new GreedySamplingPipeline(), 0));
        }
        var clock = Stopwatch.StartNew();
        var total = 0;
        while (conversations.Count > 0)
        {
            await executor.Infer();
            for (var k = conversations.Count - 1; k >= 0; k--)
            {
                var (conversation, sampler, count) = conversations[k];
                if (!conversation.RequiresSampling)
                    continue;
                var token = sampler.Sample(executor.Context.NativeHandle, conversation.GetSampleIndex());
                total++;
                if (token == weights.Vocab.EOS || count + 1 >= TokensPerStream)
                {
                    conversation.Dispose();
                    sampler.Dispose();
                    conversations.RemoveAt(k);
                    continue;
                }
                conversation.Prompt(token);
                conversations[k] = (conversation, sampler, count + 1);
            }
        }
        return total / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> Runner(string path, int streams)
    {
        var options = RunnerOptions.Default with { NumCtx = ContextPerStream * streams, NumThread = 2 };
        var cpu = GpuInfo.Cpu(16L << 30, 16L << 30);
        var estimate = MemoryEstimator.Estimate(GgufReader.ReadFile(path), [cpu], options);
        var factory = new LlamaRunnerFactory(NullLogger<LlamaRunnerFactory>.Instance);
        await using var runner = await factory.LoadAsync(new RunnerLoadRequest(path, options, streams, [cpu], estimate, [], []), null, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, streams).Select(async i =>
        {
            var request = new GenerateRequest
            {
                Prompt = Prompt(i), Raw = true,
                Sampling = SamplingOptions.Default with { Temperature = 0, NumPredict = TokensPerStream, RepeatPenalty = 1, TopK = 0, TopP = 1 },
            };
            var generated = 0;
            await foreach (var item in runner.GenerateAsync(request, CancellationToken.None))
            {
                if (item.Kind == GenerationEventKind.Done)
                    generated = item.Stats!.EvalCount + (item.DoneReason == "stop" ? 1 : 0);
            }
            return generated;
        }));
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }
}
