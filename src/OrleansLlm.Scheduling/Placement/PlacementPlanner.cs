using System.Globalization;
using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>
/// The seed's placement decision for a model not loaded on a host (Ollama's <c>processPending</c>,
/// steps 3–4): the max-loaded cap, CPU placement, best fit on GPUs, partial offload only for a
/// first model, and waiting for GPUs that are still loading. Eviction and queueing are the caller's.
/// </summary>
public static class PlacementPlanner
{
    public static PlacementDecision Plan(GgufFile model, RunnerOptions options, HostSnapshot host,
        SchedulerSettings? settings = null, IReadOnlyList<GgufFile>? projectors = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        settings ??= SchedulerSettings.Default;
        var estimator = settings.Estimator;
        var runners = host.Runners;

        var cap = settings.EffectiveMaxLoadedModels(host.Gpus.Count);
        if (runners.Count >= cap)
            return new(PlacementOutcome.NeedsEviction, [], null, $"{runners.Count} models loaded, the maximum is {cap}");

        var cpu = GpuSelection.AccountForLoaded([host.Cpu], runners)[0];
        if (options.NumGpu == 0 || host.Gpus.Count == 0)
        {
            var onCpu = Estimation.MemoryEstimator.Estimate(model, [cpu], options, projectors, estimator);
            if (onCpu.TotalSize <= cpu.FreeMemory)
                return new(PlacementOutcome.Load, [cpu], onCpu, "CPU");
            if (runners.Count == 0 || onCpu.TotalSize > host.Cpu.TotalMemory)
                return TooLarge(onCpu.TotalSize, runners.Count == 0 ? cpu.FreeMemory : host.Cpu.TotalMemory, "system memory");
            return new(PlacementOutcome.NeedsEviction, [cpu], onCpu, "not enough free system memory beside the loaded models");
        }

        if (runners.Count == 0)
        {
            if (GpuSelection.PickBestFit(model, host.Gpus, options, settings.Spread, projectors, estimator) is { } fit)
                return new(PlacementOutcome.Load, fit.Gpus, fit.Estimate, "fits fully");
            // Only a first model may load partially: its overflow goes to system memory.
            var partial = GpuSelection.BestPartial(model, host.Gpus, options, projectors, estimator);
            if (partial.Estimate.Layers == 0)
            {
                // Not one layer fits a GPU: the seed then starts a CPU runner.
                var onCpu = Estimation.MemoryEstimator.Estimate(model, [cpu], options, projectors, estimator);
                return onCpu.TotalSize <= cpu.FreeMemory
                    ? new(PlacementOutcome.Load, [cpu], onCpu, "no layer fits a GPU: CPU")
                    : TooLarge(onCpu.TotalSize, cpu.FreeMemory, "system memory");
            }
            if (partial.Estimate.RamSize > cpu.FreeMemory)
                return TooLarge(partial.Estimate.TotalSize, partial.Gpus.Sum(g => g.FreeMemory) + cpu.FreeMemory, "GPU and system memory");
            return new(PlacementOutcome.Load, partial.Gpus, partial.Estimate,
                string.Create(CultureInfo.InvariantCulture, $"partial offload: {partial.Estimate.Layers} of {partial.Estimate.LayersModel} layers on GPU"));
        }

        var accounted = GpuSelection.AccountForLoaded(host.Gpus, runners);
        var available = GpuSelection.WithoutLoading(accounted, runners);
        if (GpuSelection.PickBestFit(model, available, options, settings.Spread, projectors, estimator) is { } beside)
            return new(PlacementOutcome.Load, beside.Gpus, beside.Estimate, "fits beside the loaded models");
        if (available.Count < accounted.Count)
            return new(PlacementOutcome.RetryAfterLoad, [], null, "GPUs are busy loading another model");
        if (TooLargeEvenEmpty(model, options, host, settings, projectors) is { } tooLarge)
            return tooLarge;
        return new(PlacementOutcome.NeedsEviction, [], null, "does not fit beside the loaded models");
    }

    /// <summary>Evicting is pointless when the model would not fit on this host with nothing loaded.</summary>
    private static PlacementDecision? TooLargeEvenEmpty(GgufFile model, RunnerOptions options, HostSnapshot host,
        SchedulerSettings settings, IReadOnlyList<GgufFile>? projectors)
    {
        var empty = host.Gpus.Select(g => g with { FreeMemory = g.TotalMemory }).ToArray();
        if (GpuSelection.PickBestFit(model, empty, options, settings.Spread, projectors, settings.Estimator) is not null)
            return null;
        var partial = GpuSelection.BestPartial(model, empty, options, projectors, settings.Estimator);
        return partial.Estimate.RamSize <= host.Cpu.TotalMemory
            ? null
            : TooLarge(partial.Estimate.TotalSize, empty.Sum(g => g.TotalMemory) + host.Cpu.TotalMemory, "GPU and system memory");
    }

    private static PlacementDecision TooLarge(long needed, long available, string what) =>
        new(PlacementOutcome.TooLarge, [], null, string.Create(CultureInfo.InvariantCulture,
            $"model requires {Bytes.Format(needed)} but only {Bytes.Format(available)} of {what} is available"));
}
