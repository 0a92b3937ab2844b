using System.Globalization;
using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Estimation;

/// <summary>
/// How many layers of a model fit on a set of GPUs of one library, and what that costs per GPU:
/// Ollama's <c>EstimateGPULayers</c> (llm/memory.go at the seed commit), rule for rule.
/// </summary>
/// <remarks>
/// Kept from the seed: one layer's worth of buffer per GPU, a GPU is usable only if it holds the
/// graph, its minimum reserve and two layers; layers round-robin over the usable GPUs, a GPU that
/// cannot take the next layer leaving the rotation for good; the output layer last; every GPU with
/// a layer gets the full graph if everything fits, else the partial one.
/// Fixed: BF16, Q8_1 and Q8_K sizes (the tensor table); KV bytes per layer for the cache type
/// and per-layer KV head counts, with the head count (not 1) when the key is absent; signed,
/// overflow-checked arithmetic; a clear error instead of a division by zero for a model without
/// block or head counts; <c>OLLAMA_GPU_OVERHEAD</c> and projector graphs as Ollama added them later.
/// </remarks>
public static class MemoryEstimator
{
    public static MemoryEstimate Estimate(
        GgufFile model,
        IReadOnlyList<GpuInfo> gpus,
        RunnerOptions options,
        IReadOnlyList<GgufFile>? projectors = null,
        EstimatorSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (gpus is null || gpus.Count == 0)
            throw new ArgumentException("at least one device (a GPU or the CPU) is needed", nameof(gpus));
        settings ??= EstimatorSettings.Default;
        projectors ??= [];
        var overhead = settings.GpuOverhead;

        var blockCount = (int)(model.Architecture.BlockCount ?? throw new ModelMetadataException($"model has no {model.Architecture.Name}.block_count"));
        if (blockCount <= 0)
            throw new ModelMetadataException($"{model.Architecture.Name}.block_count is {blockCount}");

        long projectorWeights = 0, projectorGraph = 0;
        var context = (long)options.NumCtx;
        foreach (var projector in projectors)
        {
            var (weights, projectorGraphSize) = ProjectorMemory.Of(projector);
            projectorWeights += weights;
            projectorGraph = Math.Max(projectorGraph, projectorGraphSize);
            context = Math.Max(context, 2048); // multimodal models need at least 2048
        }

        var kvPerLayer = KvCacheSize.PerLayer(model, blockCount, context, options.EffectiveKvCacheType);
        var kv = kvPerLayer.Sum();
        var layerSize = model.RepeatingLayerSize(0) + kvPerLayer[0]; // one layer's worth of buffer

        var (graphPartial, graphFull) = GraphSize.Compute(model, context, Math.Min(context, options.NumBatch));
        if (graphPartial == 0)
        {
            var heads = model.Architecture.HeadCount ?? 1;
            var gqa = heads / Math.Max(1, model.Architecture.HeadCountKv ?? heads);
            graphPartial = gqa * kv / 6;
        }
        if (graphFull == 0)
            graphFull = graphPartial;
        if (gpus[0].Library == GpuLibraries.Metal)
            graphPartial = graphFull; // no partial-offload overhead on Metal
        else if (gpus.Count > 1)
            graphFull = graphPartial; // multi-GPU always pays the partial graph
        var graphMax = Math.Max(graphPartial, graphFull);

        var layers = model.LayerSizes;
        var memoryLayerOutput = layers.GetValueOrDefault("output_norm")
            + (layers.TryGetValue("output", out var output) ? output : layers.GetValueOrDefault("token_embd"));

        var gpuZeroOverhead = projectorWeights + projectorGraph;
        var layerCounts = new int[gpus.Count];
        var allocations = new long[gpus.Count];
        var usable = new List<int>(gpus.Count);
        foreach (var (gpu, i) in gpus.Select((g, i) => (g, i)))
        {
            var zeroOverhead = usable.Count == 0 ? gpuZeroOverhead : 0;
            // Only GPUs that hold the graph, their minimum, the buffer layer and one more layer.
            if (gpu.FreeMemory < zeroOverhead + graphMax + gpu.MinimumMemory + (2 * layerSize) + overhead)
                continue;
            usable.Add(i);
            allocations[i] += gpu.MinimumMemory + layerSize; // the graph waits until full vs partial is known
        }
        if (usable.Count > 0)
            allocations[usable[0]] += gpuZeroOverhead;

        var layerCount = 0;
        long memoryWeights = 0, overflow = 0;
        for (var i = 0; i < blockCount; i++)
        {
            // Some models have uneven layers; a missing one keeps the previous size.
            var blockBytes = model.RepeatingLayerSize(i);
            if (blockBytes > 0)
                layerSize = blockBytes + kvPerLayer[i];
            memoryWeights += layerSize;

            if (options.NumGpu >= 0 && layerCount >= options.NumGpu)
                continue; // the user's num_gpu reached: the rest stays on CPU

            for (var j = usable.Count; j > 0; j--)
            {
                var candidate = usable[i % j];
                var used = allocations[candidate] + graphMax;
                if (gpus[candidate].FreeMemory > used + layerSize + overhead)
                {
                    allocations[candidate] += layerSize;
                    layerCounts[candidate]++;
                    layerCount++;
                    break;
                }
                usable.RemoveAt(i % j); // full: it takes no further layer
            }
        }
        var fullyLoaded = layerCount >= blockCount;
        if (!fullyLoaded)
            overflow += (blockCount - layerCount) * layerSize;

        if (memoryLayerOutput > 0 && (options.NumGpu < 0 || layerCount < options.NumGpu))
        {
            for (var j = usable.Count; j > 0; j--)
            {
                var candidate = usable[layerCount % j];
                var used = allocations[candidate] + graphMax;
                if (gpus[candidate].FreeMemory > used + memoryLayerOutput + overhead)
                {
                    allocations[candidate] += memoryLayerOutput;
                    layerCounts[candidate]++;
                    layerCount++;
                    break;
                }
            }
            if (layerCount < blockCount + 1)
            {
                fullyLoaded = false;
                overflow += memoryLayerOutput;
            }
        }

        var graph = fullyLoaded ? graphFull : graphPartial;
        for (var i = 0; i < gpus.Count; i++)
        {
            if (layerCounts[i] > 0)
                allocations[i] += graph;
        }
        var vram = allocations.Sum();
        var total = vram + overflow;
        var tensorSplit = gpus.Count > 1 ? string.Join(",", layerCounts.Select(c => c.ToString(CultureInfo.InvariantCulture))) : "";

        var onGpu = gpus[0].Library != GpuLibraries.Cpu && layerCount > 0;
        return new MemoryEstimate
        {
            Layers = onGpu ? layerCount : 0,
            LayersModel = blockCount + 1,
            LayersRequested = options.NumGpu,
            Graph = onGpu ? graph : 0,
            VramSize = onGpu ? vram : 0,
            TotalSize = total,
            GpuSizes = onGpu ? allocations : [],
            LayerCounts = onGpu ? layerCounts : new int[gpus.Count],
            TensorSplit = onGpu ? tensorSplit : "",
            Kv = kv,
            GraphFullOffload = graphFull,
            GraphPartialOffload = graphPartial,
            MemoryWeights = memoryWeights,
            MemoryLayerOutput = memoryLayerOutput,
            ProjectorSize = projectorWeights,
        };
    }
}
