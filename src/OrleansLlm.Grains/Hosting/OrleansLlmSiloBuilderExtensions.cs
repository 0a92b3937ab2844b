using OrleansLlm.Gguf.Files;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using OrleansLlm.Abstractions;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Models;
using OrleansLlm.Grains.Placement;
using OrleansLlm.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using OrleansLlm.Inference.Llama;
using OrleansLlm.Inference.Simulated;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Grains.Hosting;

/// <summary>Wires a silo for OrleansLlm: options, GPU inventory, runners, grain directory, placement, serialization, reminders.</summary>
public static class OrleansLlmSiloBuilderExtensions
{
    /// <summary>
    /// Adds the model and GPU grains' services to a silo. The host still chooses clustering, grain
    /// storage (provider <see cref="OrleansLlmStorage.Name"/>) and the reminder service.
    /// </summary>
    public static ISiloBuilder AddOrleansLlm(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = silo.Services;
        services.AddOptions<OrleansLlmOptions>()
            .Bind(configuration.GetSection(OrleansLlmOptions.Section))
            .Validate(o => o.NumParallel is >= 1 and <= 256, "OLLAMA_NUM_PARALLEL must be 1 to 256")
            .Validate(o => o.MaxQueue >= 1, "OLLAMA_MAX_QUEUE must be at least 1")
            .Validate(o => o.MaxLoadedModels >= 0, "OLLAMA_MAX_LOADED_MODELS must be 0 (automatic) or more")
            .Validate(o => o.GpuOverhead >= 0, "OLLAMA_GPU_OVERHEAD must be a number of bytes")
            .Validate(o => TryKeepAlive(o), "OLLAMA_KEEP_ALIVE is not a duration or a number of seconds")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ModelFileCache>();
        services.TryAddSingleton<IGpuSiloDirectory, GpuSiloDirectory>();
        services.AddMetrics();
        services.TryAddSingleton<SiloDrainState>();
        services.AddHostedService<SiloDrain>();
        services.AddOptions<HostOptions>().Configure<IOptions<OrleansLlmOptions>>((host, ollm) => host.ShutdownTimeout = ollm.Value.ShutdownGrace);
        services.TryAddSingleton<ModelTags>();
        services.TryAddSingleton<SchedulerMetrics>();
        services.TryAddSingleton<SiloGauges>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloGauges>());
        services.TryAddSingleton<IGpuInventory>(sp =>
            GpuInventory.Create(sp.GetRequiredService<IOptions<OrleansLlmOptions>>().Value.Gpus, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")));

        services.AddOptions<SimulatedRunnerOptions>().Bind(configuration.GetSection($"{OrleansLlmOptions.Section}:Simulated"));
        services.AddKeyedSingleton<ILlmRunnerFactory, SimulatedRunnerFactory>("simulated");
        services.AddKeyedSingleton<ILlmRunnerFactory>("llama", (sp, _) => new LlamaRunnerFactory(
            sp.GetRequiredService<ILogger<LlamaRunnerFactory>>(),
            sp.GetRequiredService<IOptions<OrleansLlmOptions>>().Value.LlamaNativeDirectory,
            sp.GetRequiredService<ModelFileCache>()));
        services.TryAddSingleton(sp =>
        {
            var kind = sp.GetRequiredService<IOptions<OrleansLlmOptions>>().Value.Runner;
            return sp.GetKeyedService<ILlmRunnerFactory>(kind)
                ?? throw new OptionsValidationException(nameof(OrleansLlmOptions.Runner), typeof(OrleansLlmOptions),
                    [$"OLLM_RUNNER={kind}: no runner of that kind is registered (use 'llama' or 'simulated')"]);
        });

        // The grain directory that keeps a survivor's activations when a peer is lost. Orleans'
        // default (LocalGrainDirectory) deactivates every activation whose directory entry lived on
        // a silo that dies — a model pinned on the survivor was unloaded, to come back at its next
        // keep-alive reminder. The distributed directory instead rebuilds the lost partition from
        // the survivors' own activations. Every silo of a cluster must use the same directory:
        // hence here, where all of this app's silos are wired (experimental in Orleans 10).
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        silo.AddPlacementDirector<GpuFitPlacement, GpuFitPlacementDirector>();
        silo.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        services.AddOrleansLlmSerialization();
        AutoscalerHostingExtensions.KeepAutoscalerOnControlSilos(services);
        silo.AddReminders();
        services.PostConfigure<ReminderOptions>(o =>
        {
            var period = configuration.GetSection(OrleansLlmOptions.Section).Get<OrleansLlmOptions>()?.KeepAliveReminderPeriod ?? TimeSpan.FromMinutes(1);
            if (period < o.MinimumReminderPeriod)
                o.MinimumReminderPeriod = period;
        });
        return silo;
    }

    /// <summary>In-memory grain storage and reminders: the single-process default and tests.</summary>
    public static ISiloBuilder AddOrleansLlmInMemoryState(this ISiloBuilder silo) =>
        silo.AddMemoryGrainStorage(OrleansLlmStorage.Name).UseInMemoryReminderService();

    private static bool TryKeepAlive(OrleansLlmOptions options)
    {
        try
        {
            _ = options.DefaultKeepAlive;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
