using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Grains.Models;

/// <summary>
/// What a model grain keeps in grain storage so that a pinned or kept-alive model comes back
/// after its host is lost: whether it should be loaded, until when, and with which options.
/// </summary>
[GenerateSerializer, Alias("ollm.ModelGrainState")]
public sealed class ModelGrainState
{
    [Id(0)] public bool WantLoaded { get; set; }
    [Id(1)] public KeepAliveDuration KeepAlive { get; set; } = KeepAliveDuration.Default;
    [Id(2)] public DateTimeOffset? KeepAliveUntil { get; set; }
    [Id(3)] public RunnerOptions? Options { get; set; }

    public bool Pinned => KeepAlive.IsForever;
}
