namespace OrleansLlm.Abstractions.Cluster;

/// <summary>
/// The active silos as the silo that answers knows them now: Orleans' membership view, which
/// gossip and the periodic table read keep current. Answered from memory: Orleans' own
/// <c>IManagementGrain.GetHosts</c> reads the membership table (Azure Table storage in Azure) on
/// every call, which views polled every second (<c>/api/ps</c>, the dashboard, <c>/readyz</c>) would
/// wait on and pay for. A silo that was killed is listed until membership declares it dead;
/// callers ask each silo with a timeout.
/// </summary>
[Alias("ollm.IClusterViewGrain")]
public interface IClusterViewGrain : IGrainWithIntegerKey
{
    [Alias("GetActiveSilos")]
    Task<SiloAddress[]> GetActiveSilos();
}
