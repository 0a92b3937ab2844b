namespace OrleansLlm.Autoscaling.Tests;

/// <summary>One request the fake ARM endpoint received.</summary>
internal sealed record ArmCall(string Method, string Path, string? ApiVersion, string? Authorization);
