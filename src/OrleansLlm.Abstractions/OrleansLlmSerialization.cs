using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansLlm.Abstractions;

/// <summary>Serialization every OrleansLlm silo and client needs.</summary>
public static class OrleansLlmSerialization
{
    /// <summary>
    /// The scheduling core stays free of Orleans, so its records (options, estimates, GPUs, host
    /// snapshots) cross the wire as JSON; the hot-path contracts use generated serializers.
    /// </summary>
    public static IServiceCollection AddOrleansLlmSerialization(this IServiceCollection services) =>
        services.AddSerializer(serializer => serializer.AddJsonSerializer(
            isSupported: type => type.Namespace?.StartsWith("OrleansLlm.Scheduling", StringComparison.Ordinal) == true));
}
