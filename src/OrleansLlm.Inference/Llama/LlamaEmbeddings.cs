using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// Embeddings for one loaded model: one embedding context, made on first use and kept until the
/// runner is unloaded, used by one request at a time. A context per call (what LLamaSharp's
/// embedder does) would allocate a whole KV cache per request, so sixteen concurrent calls would
/// hold sixteen caches the placement never counted; llama.cpp decodes one batch at a time per
/// process anyway, so taking turns costs no throughput.
/// </summary>
internal sealed class LlamaEmbeddings(LLamaWeights weights, ModelParams generation) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly int _size = (int)Math.Min(generation.ContextSize ?? 2048, 2048);
    private LLamaContext? _context;
    private bool _disposed;

    /// <summary>Embedding contexts made so far (tests: never more than one).</summary>
    internal int ContextsCreated { get; private set; }

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
                    throw new InvalidOperationException($"input of {tokens.Length} tokens exceeds the embedding context of {_size}; set truncate to true to cut it");
                tokens = tokens[.._size];
            }
            tokenized.Add(tokens);
        }

        await _turn.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var context = _context ??= Create();
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
            _turn.Release();
        }
    }

    public void Dispose()
    {
        // Waits for a running embedding to finish with the context before it is freed.
        _turn.Wait();
        _disposed = true;
        _context?.Dispose();
        _context = null;
        _turn.Release();
    }

    private LLamaContext Create()
    {
        ContextsCreated++;
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
