using Orleans.Runtime.Placement;

namespace OrleansLlm.Grains.Placement;

/// <summary>The silo a GpuSiloGrain's key names; an error when that silo is not active.</summary>
internal sealed class SiloBoundPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silo = SiloAddress.FromParsableString(target.GrainIdentity.Key.ToString()!);
        if (!context.GetCompatibleSilos(target).Contains(silo))
            throw new SiloUnavailableException($"silo {silo} of {target.GrainIdentity} is not active");
        return Task.FromResult(silo);
    }
}
