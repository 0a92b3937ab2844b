using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using LLama;
using LLama.Common;
using LLama.Native;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Inference.Grammars;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// A loaded model serving many requests from one set of weights and one context: continuous
/// batching. One owner loop drives the context (a context must never be used from two threads)
/// and builds every batch itself: each generating request adds its next token, requests still
/// reading their prompt fill the rest of <c>num_batch</c> in chunks, so a long prompt never holds
/// the others up for more than one step. Up to <c>num_parallel</c> requests run at once, each under
/// a llama.cpp sequence id of its own.
///
/// A request leaves — finished, cancelled, abandoned, shed or failed — only between two decodes,
/// and only the loop removes it: its KV cells are removed before its sequence id can be handed
/// out again, and since the loop rebuilds each batch from the requests still running, nothing of
/// a request that left can reach a later decode. (LLamaSharp's BatchedExecutor queues tokens per
/// conversation; disposing a conversation with queued tokens left them in the next batch under a
/// reused id — "sequence positions are not continuous" — and broke the model for every request.)
/// </summary>
public sealed partial class LlamaRunner : ILlmRunner
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly Channel<LlamaSequence> _incoming = Channel.CreateUnbounded<LlamaSequence>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly int _maxParallel;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private volatile string? _broken;
    private int _injectedFailure;

    internal LlamaRunner(LLamaWeights weights, LLamaContext context, ModelParams parameters, int maxParallel, RunnerMemory memory, ILogger logger)
    {
        _weights = weights;
        _maxParallel = Math.Max(1, maxParallel);
        _logger = logger;
        Memory = memory;
        _context = context;
        Embeddings = new LlamaEmbeddings(weights, parameters, _maxParallel);
        _loop = Task.Run(RunAsync);
    }

    public RunnerMemory Memory { get; }

    public int ContextSize => (int)_context.ContextSize;

    internal LlamaEmbeddings Embeddings { get; }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        // Preparing a request (template, truncation, tokens, grammar) reads only the weights'
        // vocabulary: it runs on the thread pool, never in the decode loop nor in the caller's turn.
        var (tokens, grammar) = await Task.Run(() => Prepare(request), cancellationToken);
        var sequence = new LlamaSequence(request, tokens, grammar, cancellationToken);
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

    private (LLamaToken[] Tokens, string? Grammar) Prepare(GenerateRequest request)
    {
        var grammar = string.IsNullOrEmpty(request.Format) ? null : JsonSchemaGrammar.For(request.Format);
        var budget = LlamaSequence.PromptBudget(ContextSize);
        var prompt = PromptBuilder.Build(_weights, request, budget);
        var tokens = _weights.Tokenize(prompt, add_bos: true, special: true, Encoding.UTF8);
        return (LlamaSequence.Fit(tokens, ContextSize, request.Sampling.NumKeep), grammar);
    }

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> inputs, bool truncate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Embeddings.EmbedAsync(inputs, truncate, cancellationToken);
    }

    /// <summary>False once a decode failed in a way only a reload repairs, or the loop has ended.</summary>
    public Task<bool> PingAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_broken is null && !_loop.IsCompleted && !_stop.IsCancellationRequested);

    /// <summary>Tests: the next decode reports <paramref name="result"/> (after really decoding, as a fatal llama.cpp error would).</summary>
    internal void FailNextDecode(DecodeResult result) => Interlocked.Exchange(ref _injectedFailure, (int)result);

    /// <summary>Test hook: the next decode waits until this many requests have joined (then the hold is over), so a test can make them share steps on any machine.</summary>
    internal void StartTogether(int requests) => Volatile.Write(ref _startTogether, requests);

    private int _startTogether;

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
        Embeddings.Dispose();
        _context.Dispose();
        _weights.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var active = new List<LlamaSequence>();     // in the order they joined: the newest is shed first
        var free = new Stack<LLamaSeqId>(Enumerable.Range(0, _maxParallel).Reverse().Select(i => (LLamaSeqId)i));
        var batch = new LLamaBatch();
        var inBatch = new List<LlamaSequence>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                while (free.Count > 0 && _incoming.Reader.TryRead(out var next))
                {
                    if (next.IsCancelled)
                    {
                        next.Close(new OperationCanceledException());
                        continue;
                    }
                    try
                    {
                        next.Start(free.Peek(), _context, _weights);
                        free.Pop();
                        active.Add(next);
                    }
                    catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                    {
                        next.Close(e);
                    }
                }
                foreach (var cancelled in active.Where(s => s.IsCancelled).ToArray())
                    Remove(cancelled, active, free, new OperationCanceledException());
                if (active.Count == 0 || active.Count < Volatile.Read(ref _startTogether))
                {
                    if (!await _incoming.Reader.WaitToReadAsync(_stop.Token))
                        break;
                    continue;
                }
                Volatile.Write(ref _startTogether, 0);

                // Generating requests first (one token each), then prompt chunks in the order requests joined.
                batch.Clear();
                inBatch.Clear();
                var budget = (int)_context.BatchSize;
                foreach (var sequence in active.Where(s => s.Generating).Concat(active.Where(s => !s.Generating)))
                {
                    if (budget == 0)
                        break;
                    budget -= sequence.AddTo(batch, budget);
                    inBatch.Add(sequence);
                }

                var result = await Decode(batch);
                if (result == DecodeResult.Ok)
                {
                    foreach (var sequence in inBatch)
                    {
                        if (sequence.Commit())
                            SampleOrRemove(sequence, active, free);
                    }
                    continue;
                }

                // Nothing of this step counts: drop whatever llama.cpp kept of it past each sequence's last good position.
                foreach (var sequence in inBatch)
                {
                    sequence.Rollback();
                    _context.NativeHandle.MemorySequenceRemove(sequence.Id!.Value, sequence.Position, -1);
                }
                if (DecodeFailure.IsContextFull(result))
                {
                    LogShed(_logger, active.Count);
                    Remove(active[^1], active, free, new InvalidOperationException(DecodeFailure.ContextFull));
                    continue;
                }
                var reason = DecodeFailure.Describe(result);
                _broken = reason;
                LogBroken(_logger, result.ToString(), inBatch.Count);
                foreach (var sequence in inBatch)
                    Remove(sequence, active, free, new InvalidOperationException(reason));
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

    private async Task<DecodeResult> Decode(LLamaBatch batch)
    {
        var result = await _context.DecodeAsync(batch, CancellationToken.None);
        var injected = (DecodeResult)Interlocked.Exchange(ref _injectedFailure, 0);
        return result == DecodeResult.Ok && injected != DecodeResult.Ok ? injected : result;
    }

    private void SampleOrRemove(LlamaSequence sequence, List<LlamaSequence> active, Stack<LLamaSeqId> free)
    {
        bool goesOn;
        try
        {
            goesOn = sequence.Sample(_context, _weights);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A sampler or grammar that fails ends its own request; the others and the runner go on.
            Remove(sequence, active, free, new InvalidOperationException($"sampling failed: {e.Message}", e));
            return;
        }
        if (!goesOn)
            Remove(sequence, active, free, null);
    }

    /// <summary>The one way out of the loop for a request: its KV cells go before its id is free again.</summary>
    private void Remove(LlamaSequence sequence, List<LlamaSequence> active, Stack<LLamaSeqId> free, Exception? error)
    {
        var id = sequence.Id!.Value;
        _context.NativeHandle.MemorySequenceRemove(id, -1, -1);
        active.Remove(sequence);
        free.Push(id);
        sequence.Close(error);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The KV cache is full with {Active} sequences: the newest is shed")]
    private static partial void LogShed(ILogger logger, int active);

    [LoggerMessage(Level = LogLevel.Error, Message = "Decode returned {Result}: {Requests} requests failed and the runner is unhealthy until reloaded")]
    private static partial void LogBroken(ILogger logger, string result, int requests);
}
