using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Reload;

/// <summary>What a runner was (or would be) loaded with: runner options (admitted), adapters and projectors.</summary>
public sealed record RunnerIdentity(RunnerOptions Options, IReadOnlyList<string> Adapters, IReadOnlyList<string> Projectors)
{
    public static RunnerIdentity Of(RunnerOptions options) => new(options, [], []);
}
