namespace OrleansLlm.Scheduling.Estimation;

/// <summary>Where a model's layers go and what they cost: the result of <see cref="MemoryEstimator"/>.</summary>
public sealed record MemoryEstimate
{
    /// <summary>Layers offloaded to GPUs (repeating layers plus the output layer); 0 on CPU.</summary>
    public required int Layers { get; init; }

    /// <summary>Layers the model has: block count + 1 (the output layer).</summary>
    public required int LayersModel { get; init; }

    /// <summary>Layers the request asked for (<c>num_gpu</c>), negative for "as many as fit".</summary>
    public required int LayersRequested { get; init; }

    /// <summary>Graph (compute buffer) per GPU used: full or partial offload.</summary>
    public required long Graph { get; init; }

    /// <summary>Bytes on GPUs in all (0 on CPU).</summary>
    public required long VramSize { get; init; }

    /// <summary>Bytes in all: GPU allocations plus what overflows to system memory.</summary>
    public required long TotalSize { get; init; }

    /// <summary>Bytes per GPU, in the order of the GPUs given (empty on CPU).</summary>
    public required IReadOnlyList<long> GpuSizes { get; init; }

    /// <summary>Layers per GPU, in the order of the GPUs given.</summary>
    public required IReadOnlyList<int> LayerCounts { get; init; }

    /// <summary>llama.cpp's <c>--tensor-split</c> ("3,2") when more than one GPU was given, else empty.</summary>
    public required string TensorSplit { get; init; }

    public required long Kv { get; init; }
    public required long GraphFullOffload { get; init; }
    public required long GraphPartialOffload { get; init; }
    public required long MemoryWeights { get; init; }
    public required long MemoryLayerOutput { get; init; }
    public required long ProjectorSize { get; init; }

    /// <summary>
    /// Bytes per GPU id for the devices this estimate was made for (in the same order); GPUs
    /// that got nothing and the CPU are left out.
    /// </summary>
    public IReadOnlyDictionary<string, long> VramByGpu(IReadOnlyList<Gpus.GpuInfo> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var vram = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < devices.Count && i < GpuSizes.Count; i++)
        {
            if (!devices[i].IsCpu && GpuSizes[i] > 0)
                vram[devices[i].Id] = GpuSizes[i];
        }
        return vram;
    }

    /// <summary>Bytes that stay in system memory.</summary>
    public long RamSize => TotalSize - VramSize;

    public bool FullyOffloaded => Layers >= LayersModel;

    /// <summary>
    /// Ollama's <c>PredictServerFit</c>: at least one layer on GPU, and every layer (or the
    /// <c>num_gpu</c> asked for).
    /// </summary>
    public bool Fits => Layers > 0 && (LayersRequested >= 0 ? Layers >= LayersRequested : Layers >= LayersModel);
}
