using OrleansLlm.Gguf.Files;
using OrleansLlm.Scheduling.Autoscaling;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Grains.Autoscaling;

/// <summary>
/// Which host types hold a model, by the same planner the placement director uses, run on an
/// empty host of each type: the autoscaler never starts a host the director would then refuse.
/// </summary>
internal sealed class HostTypeFit(ModelFileCache files, SchedulerSettings settings)
{
    /// <summary>The model's GPU memory (on the largest type that holds it) and the types that hold it fully on their GPUs.</summary>
    public (long Bytes, IReadOnlyList<string> FitsOn) Of(string modelPath, RunnerOptions admitted, IReadOnlyList<HostType> types)
    {
        var model = files.Header(modelPath);
        var fitsOn = new List<string>();
        var bytes = 0L;
        foreach (var type in types.OrderBy(t => t.TotalMemory))
        {
            var decision = PlacementPlanner.Plan(model, admitted, Empty(type), settings);
            if (decision is { Outcome: PlacementOutcome.Load, OnCpu: false, Estimate: { FullyOffloaded: true } estimate })
            {
                fitsOn.Add(type.Name);
                bytes = estimate.VramSize;
            }
        }
        return (bytes, fitsOn);
    }

    private static HostSnapshot Empty(HostType type) => new(
        [.. type.GpuMemory.Select((memory, i) => new GpuInfo
        {
            Id = $"{type.Name}-{i}", Library = GpuLibraries.Cuda, TotalMemory = memory, FreeMemory = memory, Index = i, Name = type.Name,
        })],
        // System memory does not decide a GPU fit; a host of any type has far more than its weights.
        GpuInfo.Cpu(1L << 40, 1L << 40),
        []);
}
