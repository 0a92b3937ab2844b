using OrleansLlm.Gguf;

namespace OrleansLlm.Scheduling.Estimation;

/// <summary>
/// Size of the compute graph (llama.cpp's compute buffer) for full and partial offload, by
/// architecture: the formulas of Ollama's <c>GraphSize</c> (llm/ggml.go at the seed commit),
/// evaluated left to right in integer arithmetic as there. 0 means "no formula for this architecture".
/// </summary>
internal static class GraphSize
{
    public static (long Partial, long Full) Compute(GgufFile model, long context, long batch)
    {
        var arch = model.Architecture;
        long b = batch, c = context;
        var e = arch.EmbeddingLength ?? 0;
        var h = arch.HeadCount ?? 0;
        var hkv = arch.HeadCountKv ?? 1;
        var eh = h == 0 ? 0 : e / h;
        var v = arch.VocabSize ?? 0;
        var ff = arch.FeedForwardLength ?? 0;

        switch (arch.Name)
        {
            case "llama":
                return Llama(model, b, c, e, h, hkv, eh, v, ff);
            case "gemma" or "gemma2":
                return ((4 * b * ((2 * e) + v + 1)) + (e * v * 105 / 128), 4 * b * (e + v));
            case "command-r":
                return (
                    Math.Max((4 * b * (e + v)) + (e * v * 105 / 128), (4 * b * (1 + (2 * e) + (c * (1 + h)))) + (4 * e * c) + (e * e * 9 / 16)),
                    Math.Max(4 * b * (e + v), 4 * b * (2 + (4 * e) + (c * (1 + h)))));
            case "qwen2":
                return (
                    Math.Max((4 * b * (e + v)) + (e * v * 105 / 128), 4 * ((b * (1 + (2 * e) + (c * (1 + h)))) + (e * (1 + c)))),
                    Math.Max(4 * b * (e + v), 4 * b * (1 + (2 * e) + c + (c * h))));
            case "phi2":
                return (
                    Math.Max((4 * b * ((2 * e) + v)) + (e * v * 105 / 128), 4 * b * (2 + (3 * e) + c + (c * h))),
                    Math.Max(4 * b * (e + v), 4 * b * (1 + (4 * e) + c + (c * h))));
            case "stablelm":
                var full = 4 * b * ((c * (1 + h)) + (3 * e) + 2);
                return (Math.Max(4 * b * (v + (2 * e)), full), full);
            case "deepseek2":
                var ek = arch.KeyLength ?? eh;
                return (
                    Math.Max((4 * b * ((3 * e) + v)) + (e * v * 105 / 128), (4 * b * ((2 * e) + 1 + (2 * ek * hkv) + c + (c * hkv))) + (4 * ek * c * hkv) + (e * ek * hkv * 9 / 16)),
                    Math.Max(4 * b * ((3 * e) + v), 4 * b * ((3 * e) + 2 + (c * (1 + hkv)) + (2 * ek * hkv))));
            default:
                return (0, 0);
        }
    }

    private static (long Partial, long Full) Llama(GgufFile model, long b, long c, long e, long h, long hkv, long eh, long v, long ff)
    {
        var full = 4 * b * (1 + (4 * e) + (c * (1 + h)));
        var partial = (4 * b * e) + Math.Max(
            (4 * b * (1 + e + Math.Max(c, e))) + (e * e * 9 / 16) + (4 * c * ((b * h) + (eh * hkv))),
            (4 * b * (e + v)) + (e * v * 105 / 128));

        if (model.FindTensor("blk.0.ffn_gate_exps.weight") is { } experts)
        {
            // Mixtral 8x22B-style stacked experts.
            partial = Math.Max(
                (3 * experts.ByteSize) + (4 * b * ((2 * ff) + hkv + e + c + (eh * hkv))),
                4 * ((c * b * h) + (c * eh * hkv) + (1024 * b) + (eh * hkv * b)));
        }
        else if (model.FindTensor("blk.0.ffn_gate.0.weight") is { } expert)
        {
            // Mixtral 8x7B-style per-expert tensors; G is the expert's output width.
            var g = expert.Dimensions.Count > 1 ? expert.Dimensions[1] : 0;
            full = 4 * b * (2 + (3 * e) + (c * (1 + h)) + (2 * hkv) + g);
            partial = Math.Max(
                (4 * b * (3 + (eh * hkv) + e + (c * (1 + h)) + g)) + (((e * e) + (3 * e * hkv * g)) * 9 / 16),
                (4 * b * (1 + (2 * e) + (c * (1 + h)))) + (e * ((6 * c * hkv / Math.Max(h, 1)) + (e * 9 / 16))));
        }
        return (partial, full);
    }
}
