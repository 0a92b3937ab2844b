namespace OrleansLlm.Abstractions.Gpus;

/// <summary>What a <see cref="SiloEvent"/> records.</summary>
[GenerateSerializer, Alias("ollm.SiloEventKind")]
public enum SiloEventKind
{
    /// <summary>Room reserved for a load (the admission's reason).</summary>
    LoadGranted,

    /// <summary>The load finished; the detail is what it really uses.</summary>
    Loaded,

    /// <summary>The load must wait for room (why).</summary>
    Waiting,

    /// <summary>Idle runners named to unload so that a model fits.</summary>
    Evicting,

    /// <summary>A runner's (or a failed load's) room released, with why.</summary>
    Released,

    /// <summary>Busy runners asked to drain so that a load that waited too long fits.</summary>
    Draining,
}
