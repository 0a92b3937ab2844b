using LLama;
using LLama.Abstractions;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// Loads models with LLamaSharp (llama.cpp) on the devices placement chose: GPU layers from the
/// estimate (never LLamaSharp's default of 20), the split over the chosen GPUs, the context capped
/// at the model's training length × parallel (llama.cpp allocates whatever it is asked), threads set
/// explicitly, memory-mapped weights unless <c>use_mmap</c> is false.
/// </summary>
public sealed class LlamaRunnerFactory(ILogger<LlamaRunnerFactory> logger, string? nativeDirectory = null, ModelFileCache? files = null) : ILlmRunnerFactory
{
    private readonly ModelFileCache _files = files ?? new ModelFileCache();

    public string Kind => "llama";

    /// <summary>
    /// How a loaded model gets its context. On a GPU host this is where a KV cache that does not
    /// fit fails; tests without a GPU replace it to reach that failure.
    /// </summary>
    internal Func<LLamaWeights, ModelParams, LLamaContext> CreateContext { get; init; } = (weights, parameters) => weights.CreateContext(parameters);

    public Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Before anything of LLamaSharp's is built: the first touch loads llama.cpp, and only a load
        // configured here installs the log callback that gives a refused model its reason.
        LlamaNative.EnsureLoaded(logger, nativeDirectory);
        return LoadAsync(request, Parameters(request), progress, cancellationToken);
    }

    private async Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, ModelParams parameters, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        LlamaNative.EnsureLoaded(logger, nativeDirectory);
        var mark = LlamaNative.Mark();
        LLamaWeights weights;
        try
        {
            weights = await LLamaWeights.LoadFromFileAsync(parameters, cancellationToken, progress);
        }
        catch (LoadWeightsFailedException e)
        {
            var reason = LlamaNative.ErrorsSince(mark);
            throw new ModelLoadException($"llama.cpp could not load '{request.ModelPath}': {(reason.Length > 0 ? reason : e.Message)}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new ModelLoadException($"model file '{request.ModelPath}' does not exist", e);
        }
        var memory = new RunnerMemory(request.Estimate.VramByGpu(request.Devices), request.Estimate.TotalSize);
        try
        {
            return new LlamaRunner(weights, CreateContext(weights, parameters), parameters, request.NumParallel, memory, logger);
        }
        catch (Exception e) when (e is RuntimeError or InvalidOperationException or ArgumentException)
        {
            // The weights loaded but the context did not: free them now, not at the next GC (the
            // grain retries loads, and each retry would hold another copy of the weights).
            weights.Dispose();
            var reason = LlamaNative.ErrorsSince(mark);
            throw new ModelLoadException($"llama.cpp could not create a context for '{request.ModelPath}': {(reason.Length > 0 ? reason : e.Message)}", e);
        }
    }

    internal ModelParams Parameters(RunnerLoadRequest request)
    {
        var options = request.Options;
        var gpus = request.Devices.Where(d => !d.IsCpu).ToArray();
        GgufFile header;
        try
        {
            header = _files.Header(request.ModelPath);
        }
        catch (GgufFormatException e)
        {
            throw new ModelLoadException(e.Message, e);
        }
        var trained = header.Architecture.ContextLength ?? options.NumCtx;
        var context = (uint)Math.Max(4, Math.Min(options.NumCtx, trained * Math.Max(1, request.NumParallel)));
        var threads = options.NumThread > 0 ? options.NumThread : Environment.ProcessorCount;
        var parameters = new ModelParams(request.ModelPath)
        {
            GpuLayerCount = gpus.Length == 0 ? 0 : request.Estimate.Layers,
            MainGpu = gpus.Length > 0 ? gpus[0].Index : 0,
            SplitMode = gpus.Length > 1 ? GPUSplitMode.Layer : GPUSplitMode.None,
            ContextSize = context,
            BatchSize = (uint)options.NumBatch,
            UBatchSize = (uint)options.NumBatch,
            SeqMax = (uint)Math.Max(1, request.NumParallel),
            Threads = threads,
            BatchThreads = threads,
            LoadMode = (options.UseMmap, options.UseMlock) switch
            {
                (false, true) => LLamaLoadMode.MemoryLock,
                (false, false) => LLamaLoadMode.None,
                (_, true) => LLamaLoadMode.MemoryMapAndLock,
                _ => LLamaLoadMode.MemoryMap,
            },
            FlashAttention = options.FlashAttention,
        };
        if (gpus.Length > 1)
            parameters.TensorSplits = new TensorSplitsCollection([.. request.Estimate.LayerCounts.Select(c => (float)c)]);
        if (options.EffectiveKvCacheType != KvCacheType.F16)
        {
            var type = options.EffectiveKvCacheType == KvCacheType.Q8_0 ? GGMLType.GGML_TYPE_Q8_0 : GGMLType.GGML_TYPE_Q4_0;
            parameters.TypeK = type;
            parameters.TypeV = type;
        }
        return parameters;
    }
}
