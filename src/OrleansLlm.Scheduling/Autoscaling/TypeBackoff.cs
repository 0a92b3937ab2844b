namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>A host type whose last starts did not become ready: no new start of it before <see cref="Until"/>.</summary>
public sealed record TypeBackoff(int Failures, DateTimeOffset Until);
