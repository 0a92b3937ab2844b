namespace OrleansLlm.Abstractions.Errors;

/// <summary>
/// No silo can take another runner of a model now (README "Replicas"): none without one of its
/// runners has room, even after evicting idle models. Only a model's primary sees it, when it asks
/// for a replica; its requests stay with the runners it has.
/// </summary>
[GenerateSerializer, Alias("ollm.NoRoomForReplicaException")]
public sealed class NoRoomForReplicaException : Exception
{
    public NoRoomForReplicaException()
    {
    }

    public NoRoomForReplicaException(string message)
        : base(message)
    {
    }

    public NoRoomForReplicaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
