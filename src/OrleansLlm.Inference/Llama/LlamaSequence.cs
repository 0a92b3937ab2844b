using System.Diagnostics;
using System.Threading.Channels;
using LLama;
using LLama.Batched;
using LLama.Native;
using LLama.Sampling;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Inference.Llama;

/// <summary>One request inside a runner's batch: its conversation (KV cells), sampler, decoder and output.</summary>
internal sealed class LlamaSequence(GenerateRequest request, string prompt, CancellationToken cancellationToken)
{
    private readonly long _created = Stopwatch.GetTimestamp();
    private long _firstToken;
    private int _abandoned;
    private Conversation? _conversation;
    private DefaultSamplingPipeline? _sampler;
    private StreamingTokenDecoder? _decoder;
    private StopStrings? _stops;
    private int _promptTokens;
    private int _generated;

    public Channel<GenerationEvent> Output { get; } = Channel.CreateUnbounded<GenerationEvent>(new() { SingleReader = true, SingleWriter = true });

    public bool IsCancelled => cancellationToken.IsCancellationRequested || Volatile.Read(ref _abandoned) != 0;

    public Conversation Conversation => _conversation!;

    /// <summary>The caller stopped reading: the loop drops this sequence at its next step.</summary>
    public void Abandon() => Interlocked.Exchange(ref _abandoned, 1);

    public void Start(BatchedExecutor executor, LLamaWeights weights)
    {
        var tokens = Fit(executor.Context.Tokenize(prompt, addBos: true, special: true), (int)executor.Context.ContextSize, request.Sampling.NumKeep);
        _promptTokens = tokens.Length;
        _sampler = SamplingPipelines.Create(request.Sampling, weights.Vocab.EOS, blockEndOfSequence: false, request.Format);
        _decoder = new StreamingTokenDecoder(executor.Context);
        _stops = new StopStrings(request.Sampling.Stop);
        _conversation = executor.Create();
        _conversation.Prompt(tokens);
    }

    /// <summary>
    /// A prompt longer than the context is cut as Ollama cuts it: the first <c>num_keep</c> tokens
    /// stay, then the most recent ones, leaving an eighth of the context to generate into.
    /// </summary>
    internal static LLamaToken[] Fit(LLamaToken[] tokens, int context, int numKeep)
    {
        var limit = context - Math.Max(1, context / 8);
        if (tokens.Length <= limit)
            return tokens;
        var keep = Math.Clamp(numKeep, 0, limit / 2);
        return [.. tokens.Take(keep), .. tokens.Skip(tokens.Length - (limit - keep))];
    }

    /// <summary>Samples the next token; true while the sequence goes on.</summary>
    public bool Step(BatchedExecutor executor, LLamaWeights weights)
    {
        if (_firstToken == 0)
            _firstToken = Stopwatch.GetTimestamp();
        var token = _sampler!.Sample(executor.Context.NativeHandle, Conversation.GetSampleIndex());
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
        if (Conversation.TokenCount + 1 >= executor.Context.ContextSize)
            return Finish("length");
        Conversation.Prompt(token);
        return true;
    }

    public bool Finish(string reason, bool flush = true)
    {
        if (flush && _stops?.Flush() is { Length: > 0 } rest)
            Output.Writer.TryWrite(GenerationEvent.Token(rest));
        var now = Stopwatch.GetTimestamp();
        var evalStart = _firstToken == 0 ? now : _firstToken;
        Output.Writer.TryWrite(GenerationEvent.Done(reason, new GenerationStats
        {
            PromptEvalCount = _promptTokens,
            PromptEvalDurationNs = (long)Stopwatch.GetElapsedTime(_created, evalStart).TotalNanoseconds,
            EvalCount = _generated,
            EvalDurationNs = (long)Stopwatch.GetElapsedTime(evalStart, now).TotalNanoseconds,
            TotalDurationNs = (long)Stopwatch.GetElapsedTime(_created, now).TotalNanoseconds,
        }));
        Close(null);
        return false;
    }

    /// <summary>Frees the KV cells and ends the output (with <paramref name="error"/>, if any).</summary>
    public void Close(Exception? error)
    {
        _conversation?.Dispose();
        _conversation = null;
        _sampler?.Dispose();
        _sampler = null;
        Output.Writer.TryComplete(error);
    }
}
