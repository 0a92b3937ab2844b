using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Hosting;

namespace OrleansLlm.Server.Hosting;

/// <summary>What this process is (README "Roles"), decided once by <c>AddOrleansLlmServer</c> and read by <c>MapOrleansLlmEndpoints</c>.</summary>
internal sealed record ServerRole(string Role, OrleansLlmOptions Options, ModelCatalog Catalog, ClusterSettings Cluster)
{
    public static readonly string[] Names = ["all", "silo", "frontend", "control"];

    /// <summary>A silo of the cluster (the front-end alone joins as an Orleans client).</summary>
    public bool IsSilo => Role != "frontend";

    /// <summary>Loads models (a control silo runs the autoscaler and holds none).</summary>
    public bool HostsRunners => Role is "all" or "silo";

    public bool ServesApi => Role is "all" or "frontend" or "control";
}
