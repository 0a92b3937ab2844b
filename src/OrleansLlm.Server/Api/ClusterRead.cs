namespace OrleansLlm.Server.Api;

/// <summary>The silos that answered, in address order, and the addresses of those that did not.</summary>
internal sealed record ClusterRead(IReadOnlyList<SiloView> Silos, IReadOnlyList<string> Unreachable);
