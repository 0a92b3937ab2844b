using Microsoft.Extensions.Logging.Abstractions;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Inference.Llama;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Inference.Tests;

/// <summary>Demo models written by the tests, loaded with real LLamaSharp on the CPU.</summary>
internal static class DemoModels
{
    private static readonly string Directory = CreateDirectory();

    static DemoModels()
    {
        // Before any other native call in this process, so that llama.cpp's errors are captured.
        LlamaNative.EnsureLoaded(NullLogger.Instance);
    }
    private static readonly Lazy<string> TinyPath = new(() => Write("tiny", DemoModelOptions.Tiny));

    public static string Tiny => TinyPath.Value;

    public static string Write(string name, DemoModelOptions options)
    {
        var path = Path.Combine(Directory, name + ".gguf");
        DemoModel.Write(path, options);
        return path;
    }

    public static RunnerLoadRequest Request(string path, int numCtx = 512, int parallel = 4)
    {
        var options = RunnerOptions.Default with { NumCtx = numCtx * parallel, NumThread = 2 };
        var cpu = GpuInfo.Cpu(16L << 30, 16L << 30);
        var estimate = MemoryEstimator.Estimate(GgufReader.ReadFile(path), [cpu], options);
        return new RunnerLoadRequest(path, options, parallel, [cpu], estimate, [], []);
    }

    public static LlamaRunnerFactory Factory { get; } = new(NullLogger<LlamaRunnerFactory>.Instance);

    private static string CreateDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "ollm-inference-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return path;
    }
}
