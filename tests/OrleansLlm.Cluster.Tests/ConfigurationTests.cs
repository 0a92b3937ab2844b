using Microsoft.Extensions.Configuration;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

public class ConfigurationTests
{
    [Fact]
    public void Ollamas_environment_variables_keep_their_meaning()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["OLLAMA_KEEP_ALIVE"] = "10m",
            ["OLLAMA_MAX_LOADED_MODELS"] = "4",
            ["OLLAMA_NUM_PARALLEL"] = "2",
            ["OLLAMA_MAX_QUEUE"] = "16",
            ["OLLAMA_SCHED_SPREAD"] = "1",
            ["OLLAMA_GPU_OVERHEAD"] = "536870912",
            ["OLLAMA_LOAD_TIMEOUT"] = "90s",
            ["OLLAMA_KV_CACHE_TYPE"] = "q8_0",
            ["OLLAMA_FLASH_ATTENTION"] = "true",
            ["OLLM_GPUS"] = "cuda:24GiB",
            ["OLLM_RUNNER"] = "simulated",
            ["OLLM_MODELS"] = "/srv/models",
        });

        Assert.Equal(TimeSpan.FromMinutes(10), options.DefaultKeepAlive.Duration);
        Assert.Equal(4, options.MaxLoadedModels);
        Assert.Equal(2, options.NumParallel);
        Assert.Equal(16, options.MaxQueue);
        Assert.True(options.SchedSpread);
        Assert.Equal(512L << 20, options.GpuOverhead);
        Assert.Equal(TimeSpan.FromSeconds(90), options.LoadTimeout);
        Assert.Equal(KvCacheType.Q8_0, options.KvCacheType);
        Assert.True(options.FlashAttention);
        Assert.Equal("cuda:24GiB", options.Gpus);
        Assert.Equal("simulated", options.Runner);
        Assert.Equal("/srv/models", options.Models);
    }

    [Fact]
    public void The_churn_settings_are_read_from_their_variables_and_0_turns_draining_off()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["OLLM_LOAD_ORDER"] = "fifo",
            ["OLLM_STARVATION_BOUND"] = "90s",
            ["OLLM_DRAIN_BUSY_AFTER"] = "0",
            ["OLLM_MIN_RESIDENCY"] = "5m",
        });
        var defaults = Bind(new Dictionary<string, string?>()).SchedulerSettings;

        Assert.Equal(Scheduling.Admission.LoadOrder.Fifo, options.SchedulerSettings.LoadOrder);
        Assert.Equal(TimeSpan.FromSeconds(90), options.SchedulerSettings.StarvationBound);
        Assert.Null(options.SchedulerSettings.DrainBusyAfter);
        Assert.Equal(TimeSpan.FromMinutes(5), options.SchedulerSettings.MinResidency);
        Assert.Equal(Scheduling.Admission.LoadOrder.Demand, defaults.LoadOrder);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.DrainBusyAfter);
        Assert.Equal(TimeSpan.FromMinutes(2), defaults.MinResidency);
        Assert.Equal(TimeSpan.MaxValue, Bind(new Dictionary<string, string?> { ["OLLM_MIN_RESIDENCY"] = "-1" }).MinResidency);
    }

    [Fact]
    public void The_replica_settings_are_read_from_their_variables_and_1_keeps_one_runner_per_model()
    {
        var options = Bind(new Dictionary<string, string?> { ["OLLM_MAX_REPLICAS"] = "1", ["OLLM_REPLICA_AFTER"] = "1500ms" });
        var defaults = Bind(new Dictionary<string, string?>()).ReplicaSettings;

        Assert.Equal(1, options.ReplicaSettings.MaxReplicas);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ReplicaSettings.AddAfter);
        Assert.Equal(4, defaults.MaxReplicas);
        Assert.Equal(TimeSpan.FromSeconds(2), defaults.AddAfter);
        Assert.Equal(TimeSpan.FromSeconds(3), Bind(new Dictionary<string, string?> { ["OLLM_REPLICA_AFTER"] = "3" }).ReplicaAfter); // integer seconds, as Ollama reads durations
    }

    [Fact]
    public void Defaults_are_ollamas()
    {
        var options = Bind(new Dictionary<string, string?>());

        Assert.Equal(TimeSpan.FromMinutes(5), options.DefaultKeepAlive.Duration);
        Assert.Equal(0, options.MaxLoadedModels);
        Assert.Equal(1, options.NumParallel);
        Assert.Equal(512, options.MaxQueue);
        Assert.Equal(TimeSpan.FromMinutes(5), options.LoadTimeout);
    }

    [Fact]
    public void Admission_applies_num_parallel_and_the_server_kv_cache_settings()
    {
        var options = Bind(new Dictionary<string, string?> { ["OLLAMA_NUM_PARALLEL"] = "4", ["OLLAMA_KV_CACHE_TYPE"] = "q4_0", ["OLLAMA_FLASH_ATTENTION"] = "1" });

        var admitted = options.Admit(RunnerOptions.Default with { NumCtx = 2048 });

        Assert.Equal(8192, admitted.NumCtx);
        Assert.Equal(KvCacheType.Q4_0, admitted.EffectiveKvCacheType);
    }

    private static OrleansLlmOptions Bind(Dictionary<string, string?> environment)
    {
        var configuration = new ConfigurationBuilder().AddOllamaEnvironment(environment).Build();
        return configuration.GetSection(OrleansLlmOptions.Section).Get<OrleansLlmOptions>() ?? new OrleansLlmOptions();
    }
}
