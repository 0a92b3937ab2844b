using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Native;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// A loaded model serving many requests from one set of weights and one context: continuous
/// batching with LLamaSharp's <see cref="BatchedExecutor"/>. One owner loop drives the context
/// (a context must never be used from two threads); requests join between decode steps, up to
/// <c>num_parallel</c> at once; a cancelled request leaves at the next step and frees its KV cells;
/// when the KV cache is full the newest request is shed with an error and the others go on.
/// </summary>
public sealed partial class LlamaRunner : ILlmRunner
{
    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;
    private readonly BatchedExecutor _executor;
    private readonly Channel<LlamaSequence> _incoming = Channel.CreateUnbounded<LlamaSequence>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly int _maxParallel;
    private readonly ILogger _logger;
    private readonly Task _loop;

    internal LlamaRunner(LLamaWeights weights, ModelParams parameters, int maxParallel, RunnerMemory memory, ILogger logger)
    {
        _weights = weights;
        _parameters = parameters;
        _maxParallel = Math.Max(1, maxParallel);
        _logger = logger;
        Memory = memory;
        _executor = new BatchedExecutor(weights, parameters);
        _loop = Task.Run(RunAsync);
    }

    public RunnerMemory Memory { get; }

    public int ContextSize => (int)_executor.Context.ContextSize;

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var sequence = new LlamaSequence(request, PromptBuilder.Build(_weights, request), cancellationToken);
        await _incoming.Writer.WriteAsync(sequence, cancellationToken);
        try
        {
            await foreach (var item in sequence.Output.Reader.ReadAllAsync(cancellationToken))
                yield return item;
        }
        finally
        {
            sequence.Abandon();
        }
    }

    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> inputs, bool truncate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var batch = (uint)Math.Min(_parameters.ContextSize ?? 2048, 2048);
        var embedParameters = new ModelParams(_parameters.ModelPath)
        {
            Embeddings = true, PoolingType = LLamaPoolingType.Mean, ContextSize = batch, BatchSize = batch, UBatchSize = batch,
            Threads = _parameters.Threads, GpuLayerCount = _parameters.GpuLayerCount,
        };
        using var embedder = new LLamaEmbedder(_weights, embedParameters);
        using var context = _weights.CreateContext(embedParameters);
        var vectors = new List<float[]>(inputs.Count);
        foreach (var input in inputs)
        {
            var text = input;
            var tokens = context.Tokenize(text, addBos: true, special: false);
            if (tokens.Length > batch)
            {
                if (!truncate)
                    throw new InvalidOperationException($"input of {tokens.Length} tokens exceeds the embedding context of {batch}; set truncate to true to cut it");
                text = string.Concat(tokens.Take((int)batch - 1).Select(t => context.Vocab.LLamaTokenToString(t, true) ?? ""));
            }
            var embeddings = await embedder.GetEmbeddings(text, cancellationToken);
            vectors.Add(Normalize(embeddings[0]));
        }
        return vectors;
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(!_loop.IsCompleted && !_stop.IsCancellationRequested);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _incoming.Writer.TryComplete();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _executor.Dispose();
        _weights.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var active = new List<LlamaSequence>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                while (active.Count < _maxParallel && _incoming.Reader.TryRead(out var next))
                {
                    if (next.IsCancelled)
                    {
                        next.Close(new OperationCanceledException());
                        continue;
                    }
                    try
                    {
                        next.Start(_executor, _weights);
                        active.Add(next);
                    }
                    catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                    {
                        next.Close(e);
                    }
                }
                foreach (var cancelled in active.Where(s => s.IsCancelled).ToArray())
                {
                    cancelled.Close(new OperationCanceledException());
                    active.Remove(cancelled);
                }
                if (active.Count == 0)
                {
                    if (!await _incoming.Reader.WaitToReadAsync(_stop.Token))
                        break;
                    continue;
                }
                if (active.Any(s => s.Conversation.RequiresInference))
                {
                    var result = await _executor.Infer(_stop.Token);
                    if (result != DecodeResult.Ok)
                    {
                        // Shed the newest request; the rest keep their KV cells and go on.
                        var shed = active[^1];
                        LogShed(_logger, result.ToString(), active.Count);
                        shed.Close(new InvalidOperationException($"the model's context is full ({result}): retry, or raise num_ctx"));
                        active.RemoveAt(active.Count - 1);
                        continue;
                    }
                }
                foreach (var sequence in active.Where(s => s.Conversation.RequiresSampling).ToArray())
                {
                    if (!sequence.Step(_executor, _weights))
                        active.Remove(sequence);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var sequence in active)
                sequence.Close(new ObjectDisposedException(nameof(LlamaRunner), "the model was unloaded"));
            while (_incoming.Reader.TryRead(out var waiting))
                waiting.Close(new ObjectDisposedException(nameof(LlamaRunner), "the model was unloaded"));
        }
    }

    private static float[] Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return norm == 0 ? vector : [.. vector.Select(v => v / norm)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Decode returned {Result} with {Active} sequences: the newest is shed")]
    private static partial void LogShed(ILogger logger, string result, int active);
}
