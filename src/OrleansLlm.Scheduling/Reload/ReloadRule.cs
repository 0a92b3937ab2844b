namespace OrleansLlm.Scheduling.Reload;

/// <summary>When a loaded runner must be reloaded to serve a request (Ollama's <c>needsReload</c>).</summary>
public static class ReloadRule
{
    /// <summary>
    /// Reload when adapters or projectors differ, when runner options differ, or when the runner
    /// fails its health check. Sampling options never count. As in the seed, a request whose
    /// <c>num_gpu</c> is negative ignores <c>num_gpu</c> on both sides.
    /// Beyond the seed (users' reload-thrash complaints): a request asking for a smaller
    /// <c>num_ctx</c> than the runner has is served by it, since a bigger context holds it.
    /// </summary>
    public static ReloadReason Evaluate(RunnerIdentity loaded, RunnerIdentity requested, bool healthy = true)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(requested);
        if (!loaded.Adapters.SequenceEqual(requested.Adapters, StringComparer.Ordinal))
            return ReloadReason.AdaptersChanged;
        if (!loaded.Projectors.SequenceEqual(requested.Projectors, StringComparer.Ordinal))
            return ReloadReason.ProjectorsChanged;

        var want = requested.Options;
        var have = loaded.Options;
        if (want.NumGpu < 0)
            want = want with { NumGpu = have.NumGpu };
        if (want.NumCtx <= have.NumCtx)
            want = want with { NumCtx = have.NumCtx };
        if (want != have)
            return ReloadReason.OptionsChanged;

        return healthy ? ReloadReason.None : ReloadReason.Unhealthy;
    }

    public static bool NeedsReload(RunnerIdentity loaded, RunnerIdentity requested, bool healthy = true) =>
        Evaluate(loaded, requested, healthy) != ReloadReason.None;
}
