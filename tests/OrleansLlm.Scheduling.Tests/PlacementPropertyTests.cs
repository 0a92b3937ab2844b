using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using static OrleansLlm.Scheduling.Tests.TestModels;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>Seeded random hosts, models and options: whatever is placed never exceeds any GPU's free memory.</summary>
public class PlacementPropertyTests
{
    private static readonly GgufFile[] Models = [Llama1B, Llama8B, Llama8BF16, Llama70B];

    [Fact]
    public void No_placement_ever_exceeds_a_gpus_free_memory()
    {
        var random = new Random(20261125);
        var loads = 0;
        for (var trial = 0; trial < 1500; trial++)
        {
            var library = random.Next(5) == 0 ? GpuLibraries.Rocm : GpuLibraries.Cuda;
            var gpus = Enumerable.Range(0, random.Next(1, 5))
                .Select(i => Gpu(i.ToString(System.Globalization.CultureInfo.InvariantCulture), random.Next(4, 81), random.Next(4) == 0 ? GpuLibraries.Rocm : library))
                .Select(g => g with { FreeMemory = (long)(g.TotalMemory * (0.3 + (0.7 * random.NextDouble()))) })
                .ToArray();
            var runners = gpus.Where(_ => random.Next(3) == 0)
                .Select(g => new LoadedRunner
                {
                    ModelPath = "/m/" + g.Id,
                    KeepAlive = KeepAliveDuration.Default,
                    TotalBytes = g.TotalMemory / 3,
                    VramByGpu = new Dictionary<string, long> { [g.Id] = g.TotalMemory / random.Next(2, 6) },
                })
                .ToArray();
            var options = RunnerOptions.Default with
            {
                NumCtx = 512 << random.Next(0, 6),
                NumGpu = random.Next(4) == 0 ? random.Next(0, 40) : -1,
            };
            var settings = SchedulerSettings.Default with
            {
                Spread = random.Next(2) == 0,
                Estimator = new() { GpuOverhead = random.Next(3) == 0 ? Bytes.GiB : 0 },
            };
            var host = new HostSnapshot(gpus, Cpu(random.Next(8, 256)), runners);

            var decision = PlacementPlanner.Plan(Models[random.Next(Models.Length)], options, host, settings);

            if (decision.Outcome != PlacementOutcome.Load || decision.OnCpu)
                continue;
            loads++;
            var free = GpuSelection.AccountForLoaded(gpus, runners).ToDictionary(g => g.Id);
            for (var i = 0; i < decision.Devices.Count; i++)
            {
                var device = decision.Devices[i];
                Assert.True(decision.Estimate!.GpuSizes[i] <= free[device.Id].FreeMemory,
                    $"trial {trial}: GPU {device.Id} gets {decision.Estimate.GpuSizes[i]} bytes but has {free[device.Id].FreeMemory} free");
            }
            Assert.Single(decision.Devices.Select(d => d.Library).Distinct());
        }
        Assert.True(loads > 300, $"only {loads} trials placed a model on GPUs: the property was hardly exercised");
    }
}
