using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using OrleansLlm.Abstractions.Errors;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// Embeddings for one loaded model: up to <c>num_parallel</c> calls at once, each on an embedding
/// context of a pool made on demand and kept until the runner is unloaded. A context per call
/// (what LLamaSharp's embedder does) would allocate a whole KV cache per request, so sixteen
/// concurrent calls would hold sixteen caches the placement never counted; the pool holds at most
/// <c>num_parallel</c>, and further calls wait for one.
/// </summary>
internal sealed class LlamaEmbeddings(LLamaWeights weights, ModelParams generation, int maxParallel) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(Math.Max(1, maxParallel), Math.Max(1, maxParallel));
    private readonly int _maxParallel = Math.Max(1, maxParallel);
    private readonly int _size = (int)Math.Min(generation.ContextSize ?? 2048, 2048);
    private readonly System.Collections.Concurrent.ConcurrentBag<LLamaContext> _idle = [];
    private int _created;
    private bool _disposed;

    /// <summary>Embedding contexts made so far (never more than <c>num_parallel</c>).</summary>
    internal int ContextsCreated => Volatile.Read(ref _created);

    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> inputs, bool truncate, CancellationToken cancellationToken)
    {
        // Tokenising reads only the vocabulary: done before taking a turn.
        var tokenized = new List<LLamaToken[]>(inputs.Count);
        foreach (var input in inputs)
        {
            var tokens = weights.Tokenize(input, add_bos: true, special: false, Encoding.UTF8);
            if (tokens.Length > _size)
            {
                if (!truncate)
                    throw new InputTooLongException($"input of {tokens.Length} tokens exceeds the embedding context of {_size}; set truncate to true to cut it");
                tokens = tokens[.._size];
            }
            tokenized.Add(tokens);
        }

        await _turn.WaitAsync(cancellationToken);
        LLamaContext? context = null;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            context = _idle.TryTake(out var kept) ? kept : Create();
            var batch = new LLamaBatch();
            var vectors = new List<float[]>(tokenized.Count);
            foreach (var tokens in tokenized)
            {
                cancellationToken.ThrowIfCancellationRequested();
                context.NativeHandle.MemoryClear();
                batch.Clear();
                batch.AddRange(tokens, 0, LLamaSeqId.Zero, logitsLast: true);
                var result = await context.DecodeAsync(batch, cancellationToken);
                if (result != DecodeResult.Ok)
                    throw new InvalidOperationException($"llama.cpp could not compute the embedding ({result})");
                vectors.Add(Normalize(context.NativeHandle.GetEmbeddingsSeq(LLamaSeqId.Zero).ToArray()));
            }
            return vectors;
        }
        finally
        {
            if (context is not null)
                _idle.Add(context);
            _turn.Release();
        }
    }

    public void Dispose()
    {
        // Waits for running embeddings to finish with their contexts before they are freed.
        for (var i = 0; i < _maxParallel; i++)
            _turn.Wait();
        _disposed = true;
        while (_idle.TryTake(out var context))
            context.Dispose();
        _turn.Release(_maxParallel);
    }

    private LLamaContext Create()
    {
        Interlocked.Increment(ref _created);
        return weights.CreateContext(new ModelParams(generation.ModelPath)
        {
            Embeddings = true,
            PoolingType = LLamaPoolingType.Mean,
            ContextSize = (uint)_size,
            BatchSize = (uint)_size,
            UBatchSize = (uint)_size,
            Threads = generation.Threads,
            BatchThreads = generation.BatchThreads,
            GpuLayerCount = generation.GpuLayerCount,
        });
    }

    private static float[] Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return norm == 0 ? vector : [.. vector.Select(v => v / norm)];
    }
}
