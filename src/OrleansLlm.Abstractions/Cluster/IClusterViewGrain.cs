namespace OrleansLlm.Abstractions.Cluster;

/// <summary>
/// The active silos as the silo that answers knows them now: Orleans' membership view, which
/// gossip and the periodic table read keep current. Answered from memory, without reading the
/// membership table (whose read can take seconds while a lost silo is being voted dead), so that
/// views polled every second (<c>/api/ps</c>, the dashboard, <c>/readyz</c>) stay quick. A silo that was
/// killed is listed until membership declares it dead; callers ask each silo with a timeout.
/// </summary>
[Alias("ollm.IClusterViewGrain")]
public interface IClusterViewGrain : IGrainWithIntegerKey
{
    [Alias("GetActiveSilos")]
    Task<SiloAddress[]> GetActiveSilos();
}
