using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace OrleansLlm.Benchmarks;

/// <summary>
/// Runs benchmarks in this process: BenchmarkDotNet's generated projects would inherit the
/// repository's build settings (warnings as errors, runtime identifier) and fail to build.
/// </summary>
public static class InProcessConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
}
