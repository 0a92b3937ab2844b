using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Hosting;
using OrleansLlm.Grains.Models;

namespace OrleansLlm.Grains.Hosting;

/// <summary>
/// Joins a silo or a front-end to its cluster as <see cref="ClusterSettings"/> say: loopback
/// clustering with in-memory state (the embedded default; nothing survives the process), or
/// membership, reminders and model grain state in Azure Storage tables, where a lost host cannot
/// take them with it.
/// </summary>
public static class ClusterHostingExtensions
{
    /// <param name="primary">Localhost clustering only: the primary silo's endpoint for the others (null: this one is the primary).</param>
    public static ISiloBuilder UseOrleansLlmCluster(this ISiloBuilder silo, ClusterSettings settings, IPEndPoint? primary = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.UsesAzure)
            return silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primary).AddOrleansLlmInMemoryState();

        var tables = ClusterStorage.Tables(settings);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        silo.Configure<EndpointOptions>(o =>
        {
            // Container Apps: the environment's static IP, and this silo app's own exposed port pair.
            var listenOn = settings.AdvertisedIp is null ? IPAddress.Loopback : IPAddress.Any;
            o.AdvertisedIPAddress = settings.AdvertisedIp ?? IPAddress.Loopback;
            o.SiloPort = settings.SiloPort;
            o.GatewayPort = settings.GatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(listenOn, settings.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(listenOn, settings.GatewayPort);
        });
        silo.UseAzureStorageClustering(o => o.TableServiceClient = tables);
        silo.UseAzureTableReminderService(o => o.TableServiceClient = tables);
        // Orleans' own serializer, not the provider's default JSON: the state's types round-trip
        // exactly (a pinned keep-alive stays pinned), under their stable [Alias] names.
        silo.AddAzureTableGrainStorage(OrleansLlmStorage.Name, (OptionsBuilder<AzureTableStorageOptions> options) => options.Configure<Serializer>((o, serializer) =>
        {
            o.TableServiceClient = tables;
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        return silo;
    }

    /// <param name="gateways">Localhost clustering only: the silos' gateway ports.</param>
    public static IClientBuilder UseOrleansLlmCluster(this IClientBuilder client, ClusterSettings settings, IReadOnlyList<int> gateways)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(gateways);
        if (!settings.UsesAzure)
            return client.UseLocalhostClustering([.. gateways]);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        var tables = ClusterStorage.Tables(settings);
        return client.UseAzureStorageClustering(o => o.TableServiceClient = tables);
    }
}
