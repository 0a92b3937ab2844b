using System.Diagnostics;
using System.Threading.Channels;
using LLama;
using LLama.Native;
using LLama.Sampling;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// One request inside a runner's batch: its prompt, the KV positions it owns under its sequence id,
/// its sampler, decoder and output. Only the runner's loop touches it after it was queued, except
/// <see cref="Abandon"/> and the caller's token.
/// </summary>
internal sealed class LlamaSequence(GenerateRequest request, LLamaToken[] prompt, string? grammar, CancellationToken cancellationToken)
{
    private readonly long _created = Stopwatch.GetTimestamp();
    private long _firstToken;
    private int _abandoned;
    private DefaultSamplingPipeline? _sampler;
    private StreamingTokenDecoder? _decoder;
    private StopStrings? _stops;
    private int _generated;

    /// <summary>Prompt tokens already in the KV cache.</summary>
    private int _promptDone;

    /// <summary>The sampled token still to be decoded (it is already streamed to the caller).</summary>
    private LLamaToken? _next;

    /// <summary>Tokens this sequence put into the batch being decoded, and the batch row to sample from (−1: none).</summary>
    private int _inBatch;
    private int _logitsRow = -1;

    public Channel<GenerationEvent> Output { get; } = Channel.CreateUnbounded<GenerationEvent>(new() { SingleReader = true, SingleWriter = true });

    public bool IsCancelled => cancellationToken.IsCancellationRequested || Volatile.Read(ref _abandoned) != 0;

    /// <summary>The llama.cpp sequence id, while the sequence is admitted.</summary>
    public LLamaSeqId? Id { get; private set; }

    /// <summary>Positions this sequence holds in the KV cache (all decoded successfully).</summary>
    public int Position { get; private set; }

    public int PromptTokens => prompt.Length;

    /// <summary>True once the whole prompt is decoded: the sequence now adds one token a step.</summary>
    public bool Generating => _promptDone == prompt.Length;

    /// <summary>The caller stopped reading: the loop drops this sequence at its next step.</summary>
    public void Abandon() => Interlocked.Exchange(ref _abandoned, 1);

    public void Start(LLamaSeqId id, LLamaContext context, LLamaWeights weights)
    {
        _sampler = SamplingPipelines.Create(request.Sampling, weights.Vocab.EOS, blockEndOfSequence: false, grammar);
        _decoder = new StreamingTokenDecoder(context);
        _stops = new StopStrings(request.Sampling.Stop);
        Id = id;
    }

    /// <summary>The most prompt tokens a request may bring: the context less an eighth to generate into.</summary>
    internal static int PromptBudget(int context) => context - Math.Max(1, context / 8);

    /// <summary>
    /// A prompt longer than the context is cut as Ollama cuts it: the first <c>num_keep</c> tokens
    /// stay, then the most recent ones, leaving an eighth of the context to generate into.
    /// </summary>
    internal static LLamaToken[] Fit(LLamaToken[] tokens, int context, int numKeep)
    {
        var limit = PromptBudget(context);
        if (tokens.Length <= limit)
            return tokens;
        var keep = Math.Clamp(numKeep, 0, limit / 2);
        return [.. tokens.Take(keep), .. tokens.Skip(tokens.Length - (limit - keep))];
    }

    /// <summary>
    /// Puts this step's tokens into <paramref name="batch"/>: the next sampled token, or up to
    /// <paramref name="budget"/> more prompt tokens (logits only for the prompt's last one).
    /// </summary>
    /// <returns>How many tokens were added.</returns>
    public int AddTo(LLamaBatch batch, int budget)
    {
        var id = Id!.Value;
        _logitsRow = -1;
        if (_next is { } token)
        {
            _inBatch = 1;
            _logitsRow = batch.Add(token, Position, id, logits: true);
            return 1;
        }
        _inBatch = Math.Min(budget, prompt.Length - _promptDone);
        for (var i = 0; i < _inBatch; i++)
        {
            var last = _promptDone + i == prompt.Length - 1;
            var row = batch.Add(prompt[_promptDone + i], Position + i, id, logits: last);
            if (last)
                _logitsRow = row;
        }
        return _inBatch;
    }

    /// <summary>The batch was decoded: this step's tokens are now in the KV cache.</summary>
    /// <returns>True when the sequence must sample its next token from the batch's logits.</returns>
    public bool Commit()
    {
        Position += _inBatch;
        if (_next is not null)
            _next = null;
        else
            _promptDone += _inBatch;
        _inBatch = 0;
        return _logitsRow >= 0;
    }

    /// <summary>The batch failed: nothing of this step counts; the same tokens go into the next batch.</summary>
    public void Rollback()
    {
        _inBatch = 0;
        _logitsRow = -1;
    }

    /// <summary>Samples the next token from the decoded batch; false when the sequence has finished.</summary>
    public bool Sample(LLamaContext context, LLamaWeights weights)
    {
        if (_firstToken == 0)
            _firstToken = Stopwatch.GetTimestamp();
        var token = _sampler!.Sample(context.NativeHandle, _logitsRow);
        _logitsRow = -1;
        if (token == weights.Vocab.EOS || token == weights.Vocab.EOT)
            return Finish("stop");
        _generated++;
        _decoder!.Add(token);
        var (emit, stopped) = _stops!.Add(_decoder.Read());
        if (emit.Length > 0)
            Output.Writer.TryWrite(GenerationEvent.Token(emit));
        if (stopped)
            return Finish("stop", flush: false);
        if (request.Sampling.NumPredict >= 0 && _generated >= request.Sampling.NumPredict)
            return Finish("length");
        if (Position + 1 >= context.ContextSize)
            return Finish("length");
        _next = token;
        return true;
    }

    private bool Finish(string reason, bool flush = true)
    {
        if (flush && _stops?.Flush() is { Length: > 0 } rest)
            Output.Writer.TryWrite(GenerationEvent.Token(rest));
        var now = Stopwatch.GetTimestamp();
        var evalStart = _firstToken == 0 ? now : _firstToken;
        Output.Writer.TryWrite(GenerationEvent.Done(reason, new GenerationStats
        {
            PromptEvalCount = prompt.Length,
            PromptEvalDurationNs = (long)Stopwatch.GetElapsedTime(_created, evalStart).TotalNanoseconds,
            EvalCount = _generated,
            EvalDurationNs = (long)Stopwatch.GetElapsedTime(evalStart, now).TotalNanoseconds,
            TotalDurationNs = (long)Stopwatch.GetElapsedTime(_created, now).TotalNanoseconds,
        }));
        return false;
    }

    /// <summary>
    /// Ends the output (with <paramref name="error"/>, if any) and frees the sampler. The caller
    /// (the runner's loop) has already removed the sequence's KV cells and holds its id.
    /// </summary>
    public void Close(Exception? error)
    {
        _sampler?.Dispose();
        _sampler = null;
        Id = null;
        Output.Writer.TryComplete(error);
    }
}
