using LLama.Native;
using LLama.Sampling;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Inference.Llama;

/// <summary>One sampling pipeline per request (pipelines carry state), from Ollama's options.</summary>
internal static class SamplingPipelines
{
    /// <param name="grammar">GBNF (see <see cref="Grammars.JsonSchemaGrammar"/>) to constrain the output; null for free text.</param>
    public static DefaultSamplingPipeline Create(SamplingOptions options, LLamaToken? endOfSequence, bool blockEndOfSequence, string? grammar = null)
    {
        // PreventEOS has no effect in LLamaSharp 0.30; a -inf logit bias does.
        var bias = new Dictionary<LLamaToken, float>();
        if (blockEndOfSequence && endOfSequence is { } eos)
            bias[eos] = float.NegativeInfinity;
        return new DefaultSamplingPipeline
        {
            LogitBias = bias,
            Temperature = options.Temperature,
            TopK = options.TopK,
            TopP = options.TopP,
            MinP = options.MinP,
            TypicalP = options.TypicalP,
            RepeatPenalty = options.RepeatPenalty,
            PenaltyCount = options.RepeatLastN < 0 ? 4096 : options.RepeatLastN,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
            Seed = options.Seed < 0 ? (uint)Random.Shared.Next() : (uint)options.Seed,
            Grammar = string.IsNullOrEmpty(grammar) ? null : new Grammar(grammar, "root"),
        };
    }
}
