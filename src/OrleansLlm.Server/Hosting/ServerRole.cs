using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Hosting;

namespace OrleansLlm.Server.Hosting;

/// <summary>What this process is (README "Roles"), decided once by <c>AddOrleansLlmServer</c> and read by <c>MapOrleansLlmEndpoints</c>.</summary>
internal sealed record ServerRole(string Role, OrleansLlmOptions Options, ModelCatalog Catalog, ClusterSettings Cluster)
{
    public bool HostsRunners => Role != "frontend";

    public bool ServesApi => Role is "all" or "frontend";
}
