using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>The seed's GPU helpers: library groups, best fit, own-accounting of free memory, GPUs busy loading.</summary>
public static class GpuSelection
{
    /// <summary>GPUs split by library in order of first appearance: one runner never mixes brands.</summary>
    public static IReadOnlyList<IReadOnlyList<GpuInfo>> ByLibrary(IEnumerable<GpuInfo> gpus) =>
        [.. gpus.GroupBy(g => g.Library, StringComparer.Ordinal).Select(g => (IReadOnlyList<GpuInfo>)[.. g])];

    /// <summary>
    /// Ollama's <c>pickBestFitGPUs</c>: per library group, sorted by free memory descending, the
    /// first single GPU on which the model fully fits (unless <paramref name="spread"/>); then the
    /// whole group; then the next library. Null when nothing fits fully.
    /// </summary>
    public static GpuFit? PickBestFit(GgufFile model, IReadOnlyList<GpuInfo> gpus, RunnerOptions options, bool spread,
        IReadOnlyList<GgufFile>? projectors = null, EstimatorSettings? settings = null)
    {
        foreach (var group in ByLibrary(gpus))
        {
            var byFree = group.OrderByDescending(g => g.FreeMemory).ToArray();
            if (!spread)
            {
                foreach (var gpu in byFree)
                {
                    var single = MemoryEstimator.Estimate(model, [gpu], options, projectors, settings);
                    if (single.Fits)
                        return new GpuFit([gpu], single);
                }
            }
            var all = MemoryEstimator.Estimate(model, byFree, options, projectors, settings);
            if (all.Fits)
                return new GpuFit(byFree, all);
        }
        return null;
    }

    /// <summary>
    /// The library group on which the model offloads the most layers, for a first model that fits
    /// nowhere fully (partial offload is allowed only with nothing else loaded).
    /// </summary>
    public static GpuFit BestPartial(GgufFile model, IReadOnlyList<GpuInfo> gpus, RunnerOptions options,
        IReadOnlyList<GgufFile>? projectors = null, EstimatorSettings? settings = null) =>
        ByLibrary(gpus)
            .Select(group => new GpuFit(group, MemoryEstimator.Estimate(model, group, options, projectors, settings)))
            .OrderByDescending(fit => fit.Estimate.Layers)
            .First();

    /// <summary>
    /// Ollama's <c>updateFreeSpace</c>: a GPU's free memory is the smaller of what it reports and
    /// its total less what loaded runners are predicted to use on it (never below 0). Drivers
    /// report free memory late; our own accounting never is.
    /// </summary>
    public static IReadOnlyList<GpuInfo> AccountForLoaded(IReadOnlyList<GpuInfo> gpus, IEnumerable<LoadedRunner> runners)
    {
        var runnerList = runners as IReadOnlyCollection<LoadedRunner> ?? [.. runners];
        return [.. gpus.Select(gpu =>
        {
            var predicted = gpu.IsCpu
                ? runnerList.Sum(r => r.RamBytes)
                : runnerList.Sum(r => r.VramByGpu.GetValueOrDefault(gpu.Id));
            var byAccounting = Math.Max(0, gpu.TotalMemory - predicted);
            return gpu with { FreeMemory = Math.Min(gpu.FreeMemory, byAccounting) };
        })];
    }

    /// <summary>Ollama's <c>filterGPUsWithoutLoadingModels</c>: GPUs on which no runner is still loading.</summary>
    public static IReadOnlyList<GpuInfo> WithoutLoading(IReadOnlyList<GpuInfo> gpus, IEnumerable<LoadedRunner> runners)
    {
        var busy = runners.Where(r => r.Loading).SelectMany(r => r.VramByGpu.Keys).ToHashSet(StringComparer.Ordinal);
        return [.. gpus.Where(g => !busy.Contains(g.Id))];
    }
}
