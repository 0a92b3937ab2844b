using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;
using OrleansLlm.Grains.Hosting;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Inference.Llama;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// What a newcomer sees at start: a few lines that say what runs where, with the frameworks'
/// own start-up chatter (hundreds of lines of option dumps) at Warning. <c>--verbose</c> or any
/// <c>Logging__LogLevel__…</c> setting brings the detail back.
/// </summary>
internal static class StartupBanner
{
    public const string VerboseSwitch = "--verbose";

    /// <summary>Quiet framework categories, as defaults under everything the user configures.</summary>
    public static void QuietFrameworks(WebApplicationBuilder builder, string[] args)
    {
        if (args.Contains(VerboseSwitch))
            return;
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Orleans"] = "Warning",
                // Category rules match by prefix, so "Orleans" would quiet our own "OrleansLlm.*" too.
                ["Logging:LogLevel:OrleansLlm"] = "Information",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:LogLevel:System"] = "Warning",
                ["Logging:LogLevel:Polly"] = "Warning",
                ["Logging:LogLevel:llama.cpp"] = "Warning",
            },
        });
    }

    /// <summary>Prints the banner once the HTTP server listens.</summary>
    public static void PrintWhenStarted(WebApplication app, string role, OrleansLlmOptions options, ModelCatalog catalog, ClusterSettings cluster)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var text = new StringBuilder()
                .AppendLine($"ollm-server {typeof(StartupBanner).Assembly.GetName().Version?.ToString(3)}: role {role}")
                .AppendLine($"  HTTP       {string.Join(", ", addresses)}")
                .AppendLine($"  models     {catalog.Root}");
            if (role != "frontend")
            {
                var inventory = app.Services.GetRequiredService<IGpuInventory>();
                var gpus = inventory.GetGpus();
                text.AppendLine($"  GPUs       {(gpus.Count == 0 ? "none (models run on the CPU)" : string.Join(", ", gpus.Select(g => $"{g.Id} {g.Name} {g.TotalMemory / (1L << 30)} GiB")))} ({inventory.Source})")
                    .AppendLine($"  runner     {(options.Runner == "llama" ? $"llama.cpp, {LlamaNative.Backend}" : options.Runner)}");
            }
            text.AppendLine(cluster.UsesAzure
                ? $"  membership Azure Storage tables at {cluster.StorageEndpoint}, cluster '{cluster.ClusterId}' (membership, reminders and model state survive any host)"
                : $"  membership localhost clustering ({(role == "frontend" ? "client of the silos' gateways" : "this silo")}; state in memory, lost with its host)");
            Console.Out.Write(text.ToString());
            Console.Out.Flush();
        });
    }
}
