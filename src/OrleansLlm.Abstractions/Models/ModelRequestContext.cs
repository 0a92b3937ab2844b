using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Abstractions.Models;

/// <summary>
/// What a caller tells the cluster through Orleans' <c>RequestContext</c> when it calls a model:
/// the runner options (the placement director sizes the model by them — a 32k context is not a
/// 2k one — before the request itself reaches the grain) and how many times the request has
/// already been re-placed (see <see cref="ModelClient.MaxRelocations"/>).
/// </summary>
public static class ModelRequestContext
{
    public const string RunnerOptionsKey = "ollm.runner-options";
    public const string RelocationsKey = "ollm.relocations";
    public const string AvoidKey = "ollm.avoid-runner";

    /// <summary>The options a request context carries (the record itself, through Orleans' serializer); null if none.</summary>
    public static RunnerOptions? RunnerOptionsIn(IReadOnlyDictionary<string, object>? data) =>
        data?.GetValueOrDefault(RunnerOptionsKey) as RunnerOptions;

    /// <summary>The runner options of the current call (the defaults when the caller gave none).</summary>
    public static RunnerOptions RunnerOptions => RequestContext.Get(RunnerOptionsKey) as RunnerOptions ?? RunnerOptions.Default;

    /// <summary>How many times the current request was re-placed (0 when the context says nothing).</summary>
    public static int Relocations => RequestContext.Get(RelocationsKey) is int n ? n : 0;

    /// <summary>The replica this request was sent to and could not reach (README "Replicas"): its primary sends it elsewhere.</summary>
    public static string? AvoidRunner => RequestContext.Get(AvoidKey) as string;

    public static void Set(RunnerOptions options, int relocations, string? avoidRunner = null)
    {
        RequestContext.Set(RunnerOptionsKey, options);
        RequestContext.Set(RelocationsKey, relocations);
        if (avoidRunner is null)
            RequestContext.Remove(AvoidKey);
        else
            RequestContext.Set(AvoidKey, avoidRunner);
    }

    public static void Clear()
    {
        RequestContext.Remove(RunnerOptionsKey);
        RequestContext.Remove(RelocationsKey);
        RequestContext.Remove(AvoidKey);
    }
}
