using System.Text.Json;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Abstractions.Models;

/// <summary>
/// What a caller tells the cluster through Orleans' <c>RequestContext</c> when it calls a model:
/// the runner options (the placement director sizes the model by them: a 32k context is not a
/// 2k one) and how many times the request has already been re-placed.
/// </summary>
public static class ModelRequestContext
{
    public const string RunnerOptionsKey = "ollm.runner-options";
    public const string RelocationsKey = "ollm.relocations";

    public static string Encode(RunnerOptions options) => JsonSerializer.Serialize(options);

    public static RunnerOptions Decode(object? value) =>
        value is string json ? JsonSerializer.Deserialize<RunnerOptions>(json) ?? RunnerOptions.Default : RunnerOptions.Default;

    public static void Set(RunnerOptions options, int relocations)
    {
        RequestContext.Set(RunnerOptionsKey, Encode(options));
        RequestContext.Set(RelocationsKey, relocations);
    }

    public static void Clear()
    {
        RequestContext.Remove(RunnerOptionsKey);
        RequestContext.Remove(RelocationsKey);
    }
}
