namespace OrleansLlm.ChurnBench.Runners;

/// <summary>
/// How long a runner takes on a 24 GiB-class GPU (RTX 4090-like: an 8B Q4_K_M model decodes one
/// stream at about 145 tokens/s, eight at about 860 tokens/s together), from the model's own size: loading reads the
/// weights from disk over PCIe; prefill is compute-bound (scales with parameters); each decode
/// step reads all weights once (memory-bound), and a batch of streams costs a little more per step.
/// Every system in a run uses these same numbers.
/// </summary>
internal sealed record RunnerTimings
{
    /// <summary>Starting a runner before any weight is read.</summary>
    public double LoadFixedSeconds { get; init; } = 1.5;

    /// <summary>Disk and PCIe: weight bytes per second.</summary>
    public double LoadBytesPerSecond { get; init; } = 3e9;

    /// <summary>Prompt tokens per second for an 8-billion-parameter model; others scale inversely with size.</summary>
    public double PrefillTokensPerSecondAt8B { get; init; } = 5000;

    /// <summary>GPU memory bandwidth actually achieved when reading the weights.</summary>
    public double MemoryBytesPerSecond { get; init; } = 900e9;

    /// <summary>Fixed cost of one decode step (kernel launches, sampling).</summary>
    public double StepOverheadSeconds { get; init; } = 0.0015;

    /// <summary>Extra step time per additional stream in the batch.</summary>
    public double BatchPenalty { get; init; } = 0.05;

    public double LoadSeconds(long weightBytes) => LoadFixedSeconds + (weightBytes / LoadBytesPerSecond);

    public double PrefillSeconds(long parameters, int promptTokens) =>
        promptTokens / (PrefillTokensPerSecondAt8B * 8e9 / Math.Max(1, parameters));

    /// <summary>One decode step with <paramref name="streams"/> sequences in the batch.</summary>
    public double StepSeconds(long weightBytes, int streams) =>
        ((weightBytes / MemoryBytesPerSecond) + StepOverheadSeconds) * (1 + (BatchPenalty * Math.Max(0, streams - 1)));
}
