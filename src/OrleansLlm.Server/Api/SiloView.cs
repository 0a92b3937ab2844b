using OrleansLlm.Abstractions.Gpus;

namespace OrleansLlm.Server.Api;

/// <summary>One silo's snapshot, and its activity when it was asked for.</summary>
internal sealed record SiloView(SiloSnapshot Snapshot, SiloActivity? Activity);
