namespace OrleansLlm.Scheduling.Options;

/// <summary>What happens to a request's runner options before scheduling (Ollama's <c>GetRunner</c>).</summary>
public static class RunnerAdmission
{
    /// <summary>
    /// <c>num_ctx</c> below 4 becomes 4, then it is multiplied by <c>OLLAMA_NUM_PARALLEL</c> so
    /// that one KV cache holds every parallel sequence. Every request goes through the same
    /// multiplication, so comparing a request with a loaded runner stays consistent.
    /// </summary>
    public static RunnerOptions Normalize(RunnerOptions options, int numParallel)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(numParallel, 1);
        return options with { NumCtx = checked(Math.Max(4, options.NumCtx) * numParallel) };
    }
}
