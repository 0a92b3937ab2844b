using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansLlm.Grains.Models;
using Orleans.TestingHost;
using OrleansLlm.Abstractions;
using OrleansLlm.Grains.Hosting;

namespace OrleansLlm.Cluster.Tests;

/// <summary>Starts real multi-silo clusters, each silo with its own configured GPUs and the simulated runner.</summary>
internal static class TestClusters
{
    /// <param name="responseTimeout">Orleans' call timeout for silos and the client (default 30 s).</param>
    public static async Task<InProcessTestCluster> StartAsync(string[] siloGpus, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, TimeSpan? responseTimeout = null)
    {
        var builder = new InProcessTestClusterBuilder((short)siloGpus.Length);
        builder.ConfigureSilo((options, silo) =>
        {
            var index = int.Parse(options.SiloName.Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
            var values = new Dictionary<string, string?>
            {
                ["Ollm:Gpus"] = siloGpus[index],
                ["Ollm:Runner"] = "simulated",
                // 100 GB/s: an 8B model loads in about 50 ms; tokens every 5 ms.
                ["Ollm:Simulated:LoadBytesPerSecond"] = "100000000000",
                ["Ollm:Simulated:TokensPerSecond"] = "200",
                ["Ollm:KeepAliveReminderPeriod"] = "00:00:02",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
                values[key] = value;
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
            silo.AddOrleansLlm(configuration);
            silo.Services.AddKeyedSingleton<IGrainStorage, SharedGrainStorage>(OrleansLlmStorage.Name);
            silo.Services.AddSingleton<IReminderTable, SharedReminderTable>();
            services?.Invoke(silo.Services);
            if (responseTimeout is { } siloTimeout)
                silo.Services.Configure<Orleans.Configuration.SiloMessagingOptions>(o => o.ResponseTimeout = siloTimeout);
        });
        builder.ConfigureClient(client =>
        {
            client.Services.AddOrleansLlmSerialization();
            if (responseTimeout is { } clientTimeout)
                client.Services.Configure<Orleans.Configuration.ClientMessagingOptions>(o => o.ResponseTimeout = clientTimeout);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
