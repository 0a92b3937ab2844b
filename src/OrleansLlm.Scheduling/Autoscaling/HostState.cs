namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>Where a GPU host of the pool stands, as the provider and Orleans membership say together.</summary>
public enum HostState
{
    /// <summary>Provisioned, not running: it can be started.</summary>
    Stopped,

    /// <summary>Asked to start; its silo is not yet active in the cluster.</summary>
    Starting,

    /// <summary>Its silo is active and takes models.</summary>
    Ready,

    /// <summary>Asked to stop: its silo drains (no new placements, streams finish, wanted models move) and leaves.</summary>
    Stopping,
}
