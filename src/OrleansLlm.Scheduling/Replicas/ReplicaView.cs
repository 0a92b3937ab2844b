using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Replicas;

/// <summary>
/// What a model's primary knows of one of its runners (itself, index 0, or a replica): whether it
/// serves now, with which options, and how many requests it holds (the replica's latest report,
/// plus the requests sent to it since).
/// </summary>
/// <param name="Starting">Asked to load and not yet ready: counts against the replica cap, takes no request.</param>
/// <param name="Silo">Where it runs, once placed (a replica whose silo is declared dead is forgotten).</param>
public sealed record ReplicaView(int Index, bool Ready, int InFlight, RunnerOptions? Options, bool Starting = false, string? Silo = null);
