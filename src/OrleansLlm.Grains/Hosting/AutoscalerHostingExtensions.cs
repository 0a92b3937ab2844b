using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansLlm.Abstractions.Autoscaling;
using OrleansLlm.Grains.Autoscaling;
using OrleansLlm.Grains.Autoscaling.ContainerApps;
using OrleansLlm.Grains.Configuration;

namespace OrleansLlm.Grains.Hosting;

/// <summary>Makes a silo a control silo: no models, and the home of the autoscaler (README "Autoscaling").</summary>
public static partial class AutoscalerHostingExtensions
{
    /// <summary>
    /// Adds the autoscaler and its host provider to this silo, and keeps models off it. Call after
    /// <see cref="OrleansLlmSiloBuilderExtensions.AddOrleansLlm"/>.
    /// </summary>
    public static ISiloBuilder AddOrleansLlmControl(this ISiloBuilder silo, IConfiguration configuration, AutoscalerOptions autoscaler, ClusterSettings cluster)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(autoscaler);
        ArgumentNullException.ThrowIfNull(cluster);
        var services = silo.Services;
        services.PostConfigure<OrleansLlmOptions>(o => o.HostsModels = false);
        services.AddSingleton(autoscaler);
        services.AddSingleton<AutoscalerMetrics>();
        services.AddSingleton<AutoscalerJournal>();
        var environment = OllamaEnvironment.Current().Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!);
        if (!cluster.UsesAzure)
        {
            // Localhost clustering: the control silo is the primary that started hosts join.
            environment["OLLM_PRIMARY_SILO"] = $"127.0.0.1:{cluster.SiloPort}";
        }
        // A host that registered its own provider first (the churn benchmark's in-process silos) keeps it.
        services.TryAddSingleton<IGpuHostProvider>(sp => autoscaler.Provider switch
        {
            "process" => new ProcessHostProvider(configuration, environment, sp.GetRequiredService<ILogger<ProcessHostProvider>>()),
            "containerapps" => ContainerAppsHostProvider.Create(ContainerAppsHostSettings.From(configuration),
                sp.GetRequiredService<ILogger<ContainerAppsHostProvider>>(), sp.GetRequiredService<TimeProvider>()),
            var other => throw new FormatException($"OLLM_AUTOSCALER_PROVIDER '{other}' is not a provider: use process or containerapps"),
        });
        services.AddHostedService<AutoscalerActivation>();
        return silo;
    }

    /// <summary>The autoscaler grain exists only where a control silo registered its services.</summary>
    internal static void KeepAutoscalerOnControlSilos(IServiceCollection services) =>
        services.AddOptions<GrainTypeOptions>().PostConfigure<IServiceProvider>((types, sp) =>
        {
            if (sp.GetService<AutoscalerOptions>() is null)
                types.Classes.Remove(typeof(AutoscalerGrain));
        });

    /// <summary>Activates the autoscaler once this silo runs (its timers keep it active from then on).</summary>
    private sealed partial class AutoscalerActivation(IGrainFactory grains, AutoscalerOptions options, ILogger<AutoscalerActivation> logger) : IHostedLifecycleService
    {
        public async Task StartedAsync(CancellationToken cancellationToken)
        {
            if (options.Mode == Scheduling.Autoscaling.AutoscalerMode.Off)
                return;
            try
            {
                await grains.GetGrain<IAutoscalerGrain>(0).GetStatus().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // The first request that finds no host activates it instead.
                LogNotActivated(logger, e.Message);
            }
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "The autoscaler did not activate at start-up: {Reason}")]
        private static partial void LogNotActivated(ILogger logger, string reason);
    }
}
