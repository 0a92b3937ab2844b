using Microsoft.Extensions.Configuration;

namespace OrleansLlm.Grains.Configuration;

/// <summary>
/// Ollama's environment variables, and ours, mapped onto <see cref="OrleansLlmOptions"/> in one place,
/// so that <c>OLLAMA_KEEP_ALIVE=10m</c> and <c>Ollm__KeepAlive=10m</c> mean the same.
/// </summary>
public static class OllamaEnvironment
{
    public static readonly IReadOnlyDictionary<string, string> Variables = new Dictionary<string, string>
    {
        ["OLLAMA_KEEP_ALIVE"] = nameof(OrleansLlmOptions.KeepAlive),
        ["OLLAMA_MAX_LOADED_MODELS"] = nameof(OrleansLlmOptions.MaxLoadedModels),
        ["OLLAMA_NUM_PARALLEL"] = nameof(OrleansLlmOptions.NumParallel),
        ["OLLAMA_MAX_QUEUE"] = nameof(OrleansLlmOptions.MaxQueue),
        ["OLLAMA_SCHED_SPREAD"] = nameof(OrleansLlmOptions.SchedSpread),
        ["OLLAMA_GPU_OVERHEAD"] = nameof(OrleansLlmOptions.GpuOverhead),
        ["OLLAMA_LOAD_TIMEOUT"] = nameof(OrleansLlmOptions.LoadTimeout),
        ["OLLAMA_KV_CACHE_TYPE"] = nameof(OrleansLlmOptions.KvCacheType),
        ["OLLAMA_FLASH_ATTENTION"] = nameof(OrleansLlmOptions.FlashAttention),
        ["OLLM_GPUS"] = nameof(OrleansLlmOptions.Gpus),
        ["OLLM_RUNNER"] = nameof(OrleansLlmOptions.Runner),
        ["OLLM_MODELS"] = nameof(OrleansLlmOptions.Models),
        ["OLLM_LLAMA_NATIVE"] = nameof(OrleansLlmOptions.LlamaNativeDirectory),
        ["OLLM_SHUTDOWN_GRACE"] = nameof(OrleansLlmOptions.ShutdownGrace),
        ["OLLM_LOAD_ORDER"] = nameof(OrleansLlmOptions.LoadOrder),
        ["OLLM_STARVATION_BOUND"] = nameof(OrleansLlmOptions.StarvationBound),
        ["OLLM_DRAIN_BUSY_AFTER"] = nameof(OrleansLlmOptions.DrainBusyAfter),
        ["OLLM_MIN_RESIDENCY"] = nameof(OrleansLlmOptions.MinResidency),
        ["OLLM_MAX_REPLICAS"] = nameof(OrleansLlmOptions.MaxReplicas),
        ["OLLM_REPLICA_AFTER"] = nameof(OrleansLlmOptions.ReplicaAfter),
    };

    /// <summary>Adds the variables present in <paramref name="environment"/> as <c>Ollm:*</c> keys.</summary>
    public static IConfigurationBuilder AddOllamaEnvironment(this IConfigurationBuilder builder, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(environment);
        var values = new Dictionary<string, string?>();
        foreach (var (variable, option) in Variables)
        {
            if (environment.TryGetValue(variable, out var value) && value is not null)
                values[$"{OrleansLlmOptions.Section}:{option}"] = Normalize(variable, value);
        }
        return builder.AddInMemoryCollection(values);
    }

    /// <summary>The process environment, as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string?> Current() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);

    private static string Normalize(string variable, string value) => variable switch
    {
        // Ollama reads these as Go durations or integer seconds; configuration binding wants a TimeSpan.
        // A model is never drained for another when its residency is forever (a negative value).
        "OLLM_MIN_RESIDENCY" when Scheduling.KeepAlive.KeepAliveParser.FromEnvironment(value).IsForever => TimeSpan.MaxValue.ToString(),
        "OLLAMA_LOAD_TIMEOUT" or "OLLM_SHUTDOWN_GRACE" or "OLLM_STARVATION_BOUND" or "OLLM_DRAIN_BUSY_AFTER" or "OLLM_MIN_RESIDENCY" or "OLLM_REPLICA_AFTER" => Scheduling.KeepAlive.KeepAliveParser.FromEnvironment(value) is var d && d.IsForever
            ? TimeSpan.Zero.ToString()
            : d.Duration.ToString(),
        "OLLAMA_SCHED_SPREAD" or "OLLAMA_FLASH_ATTENTION" => value.Trim() is "1" or "true" or "TRUE" or "True" ? "true" : value.Trim() is "0" or "false" or "FALSE" or "False" or "" ? "false" : value,
        "OLLAMA_KV_CACHE_TYPE" => value.Trim().ToUpperInvariant() switch { "" => "F16", var v => v },
        _ => value,
    };
}
