using System.Diagnostics;
using System.Globalization;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Scheduling;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Benchmarks;

/// <summary>
/// The estimator against reality: for demo models of several sizes and types, the predicted CPU
/// total next to the resident-memory growth of really loading each with LLamaSharp (weights,
/// a context filled to its length), each measured in a fresh process so that nothing earlier is counted.
/// </summary>
internal static class EstimateAccuracy
{
    private static readonly int[] Contexts = [512, 2048];

    public static int Run(string resultsPath)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ollm-accuracy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var models = WriteModels(directory);
            var table = new StringBuilder()
                .AppendLine("| model | file | params | ctx | predicted CPU total | measured RSS growth | error |")
                .AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, path) in models)
            {
                var file = GgufReader.ReadFile(path);
                foreach (var ctx in Contexts)
                {
                    var predicted = MemoryEstimator.Estimate(file, [GpuInfo.Cpu(64 * Bytes.GiB, 64 * Bytes.GiB)],
                        RunnerOptions.Default with { NumCtx = ctx }).TotalSize;
                    var measured = MeasureInChild(path, ctx);
                    var error = (predicted - measured) / (double)measured;
                    table.AppendLine(CultureInfo.InvariantCulture,
                        $"| {name} | {Bytes.Format(new FileInfo(path).Length)} | {file.ParameterCount / 1e6:0.##} M | {ctx} | {Bytes.Format(predicted)} | {Bytes.Format(measured)} | {error:+0.0%;-0.0%} |");
                }
            }
            Console.WriteLine(table);
            File.WriteAllText(resultsPath, $"""
                # Estimate accuracy: predicted CPU total vs measured resident memory

                Measured {DateTime.UtcNow:yyyy-MM-dd} on the 2-core CI-class machine (CPU backend, LLamaSharp 0.30, 2 threads, batch 512, mmap).
                Each row loads the model in a fresh process, creates a context of `ctx` tokens and fills it (decodes `ctx` tokens in batches of 512);
                "measured" is VmRSS after minus VmRSS before (native library already loaded). Error = (predicted − measured) / measured.
                Reproduce: `dotnet run -c Release --project bench/OrleansLlm.Benchmarks -- estimate-accuracy`

                {table}
                """);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Child mode: print "before after" resident bytes around one load, context and decode.</summary>
    public static int MeasureOne(string path, int context)
    {
        NativeApi.llama_empty_call();
        GC.Collect();
        var before = ResidentBytes();
        var parameters = new ModelParams(path)
        {
            GpuLayerCount = 0, ContextSize = (uint)context, BatchSize = 512, UBatchSize = 512, Threads = 2, LoadMode = LLamaLoadMode.MemoryMap,
        };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        using var ctx = weights.CreateContext(parameters);
        // Fill the whole context: KV pages that were never written are not resident, and a
        // server's context does fill up. Batches of 512, the batch size the estimate assumes.
        var tokens = ctx.Tokenize(string.Concat(Enumerable.Repeat("the model said hello to the cluster ", 64)), addBos: true);
        var filled = (int)ctx.ContextSize;
        for (var start = 0; start < filled; start += 512)
        {
            var batch = new LLamaBatch();
            var end = Math.Min(filled, start + 512);
            for (var pos = start; pos < end; pos++)
                batch.Add(tokens[pos % tokens.Length], pos, LLamaSeqId.Zero, pos == end - 1);
            ctx.Decode(batch);
        }
        var after = ResidentBytes();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{before} {after}"));
        return 0;
    }

    private static List<(string Name, string Path)> WriteModels(string directory)
    {
        string Write(string name, DemoModelOptions options)
        {
            var path = Path.Combine(directory, name + ".gguf");
            DemoModel.Write(path, options);
            return path;
        }
        var tiny = Write("tiny-f32", DemoModelOptions.Tiny);
        var small = Write("small-f16", DemoModelOptions.Small with { WeightType = GgmlType.F16 });
        var medium = Write("medium-f16", DemoModelOptions.Medium with { WeightType = GgmlType.F16 });
        var mediumQ8 = Path.Combine(directory, "medium-q8_0.gguf");
        NativeApi.llama_empty_call(); // LLamaSharp resolves its natives on the first NativeApi call
        if (!LLamaQuantizer.Quantize(medium, mediumQ8, LLamaFtype.MOSTLY_Q8_0, nthread: 2))
            throw new InvalidOperationException("quantising the medium model to Q8_0 failed");
        return [("tiny F32", tiny), ("small F16", small), ("medium F16", medium), ("medium Q8_0", mediumQ8)];
    }

    private static long MeasureInChild(string path, int context)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, ["measure-one", path, context.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        };
        using var child = Process.Start(start)!;
        var lines = child.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        child.WaitForExit();
        var parts = lines[^1].Split(' ');
        return long.Parse(parts[1], CultureInfo.InvariantCulture) - long.Parse(parts[0], CultureInfo.InvariantCulture);
    }

    private static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
