namespace OrleansLlm.Scheduling.Replicas;

/// <summary>When a model gets more runners than one (README "Replicas").</summary>
public sealed record ReplicaSettings
{
    /// <summary><c>OLLM_MAX_REPLICAS</c>: the most runners of one model in the cluster, the primary included; 1 = one runner per model (the seed's).</summary>
    public int MaxReplicas { get; init; } = 4;

    /// <summary><c>OLLM_REPLICA_AFTER</c>: how long every runner of a model must have had all its slots taken before another is started.</summary>
    public TimeSpan AddAfter { get; init; } = TimeSpan.FromSeconds(2);

    public static ReplicaSettings Default { get; } = new();
}
