using BenchmarkDotNet.Attributes;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Scheduling;
using OrleansLlm.Scheduling.Eviction;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Benchmarks;

/// <summary>
/// One full placement decision on a busy host: 50 loaded models on 8 × 80 GiB GPUs, a Llama 3 8B
/// F16 request that fits nowhere beside them, so the decision is estimate + fit on every GPU
/// and group + the cheapest idle eviction set (each candidate set checked by the planner).
/// </summary>
[MemoryDiagnoser]
public class PlacementDecisionBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private GgufFile _model = null!;
    private HostSnapshot _host = null!;
    private readonly SchedulerSettings _settings = SchedulerSettings.Default with { MaxLoadedModels = 64 };

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ollm-bench-{Guid.NewGuid():N}.gguf");
        ShapedModel.Write(path, ShapedModelSpec.Llama3_8B_F16);
        _model = GgufReader.ReadFile(path);
        File.Delete(path);

        var random = new Random(50);
        var gpus = Enumerable.Range(0, 8).Select(i => new GpuInfo
        {
            Id = $"GPU-{i}", Index = i, Library = GpuLibraries.Cuda, TotalMemory = 80 * Bytes.GiB, FreeMemory = 80 * Bytes.GiB,
            MinimumMemory = GpuLibraries.MinimumMemory(GpuLibraries.Cuda),
        }).ToArray();
        // 50 runners of 12.6–13.4 GiB, 6 or 7 per GPU: about 2 GiB left on each GPU, so a 16 GiB model
        // fits neither on one GPU nor across all eight, and idle runners must go.
        var runners = Enumerable.Range(0, 50).Select(i => new LoadedRunner
        {
            ModelPath = $"/models/m{i:00}.gguf",
            RefCount = random.Next(3) == 0 ? random.Next(1, 4) : 0,
            KeepAlive = random.Next(10) == 0 ? KeepAliveDuration.Forever : KeepAliveDuration.From(TimeSpan.FromMinutes(random.Next(1, 60))),
            ExpiresAt = Now.AddMinutes(random.Next(1, 60)),
            TotalBytes = (long)((12.6 + (random.NextDouble() * 0.8)) * Bytes.GiB),
        }).Select((r, i) => r with { VramByGpu = new Dictionary<string, long> { [gpus[i % 8].Id] = r.TotalBytes } }).ToArray();
        _host = new HostSnapshot(gpus, GpuInfo.Cpu(512 * Bytes.GiB, 400 * Bytes.GiB), runners);
    }

    [Benchmark(Description = "plan + cheapest idle eviction, 50 models on 8 GPUs")]
    public int Decide()
    {
        var decision = PlacementPlanner.Plan(_model, RunnerOptions.Default, _host, _settings);
        if (decision.Outcome != PlacementOutcome.NeedsEviction)
            throw new InvalidOperationException($"the scenario must need an eviction, but the planner said {decision.Outcome}");
        var plan = CheapestIdleEviction.Choose(_host.Runners, victims =>
        {
            var remaining = _host with { Runners = [.. _host.Runners.Except(victims)] };
            return PlacementPlanner.Plan(_model, RunnerOptions.Default, remaining, _settings).Outcome == PlacementOutcome.Load;
        }, Now);
        return plan.Victims.Count;
    }
}
