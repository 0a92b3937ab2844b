using OrleansLlm.Scheduling.Admission;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Grains.Configuration;

/// <summary>
/// Server-wide scheduling settings, bound from the <c>Ollm</c> configuration section; Ollama's
/// environment variables map onto them (see <see cref="OllamaEnvironment"/>).
/// </summary>
public sealed class OrleansLlmOptions
{
    public const string Section = "Ollm";

    /// <summary><c>OLLAMA_KEEP_ALIVE</c>: how long an idle model stays loaded unless a request says otherwise.</summary>
    public string KeepAlive { get; set; } = "5m";

    /// <summary><c>OLLAMA_MAX_LOADED_MODELS</c>: per silo; 0 = 3 × its GPUs.</summary>
    public int MaxLoadedModels { get; set; }

    /// <summary><c>OLLAMA_NUM_PARALLEL</c>: sequences per loaded model; the context is num_ctx × this.</summary>
    public int NumParallel { get; set; } = 1;

    /// <summary><c>OLLAMA_MAX_QUEUE</c>: requests that may wait for a model load at once, per front-end.</summary>
    public int MaxQueue { get; set; } = 512;

    /// <summary><c>OLLAMA_SCHED_SPREAD</c>: spread every model over all GPUs of a library.</summary>
    public bool SchedSpread { get; set; }

    /// <summary><c>OLLAMA_GPU_OVERHEAD</c>: bytes kept free on every GPU.</summary>
    public long GpuOverhead { get; set; }

    /// <summary><c>OLLAMA_LOAD_TIMEOUT</c>: how long a load may take; zero or negative = no limit.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>OLLM_SHUTDOWN_GRACE</c>: how long a silo told to stop (SIGTERM) has to drain — requests in
    /// flight finish, models unload and are placed again elsewhere — before it leaves the cluster.
    /// Container Apps' <c>terminationGracePeriodSeconds</c> must be longer.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>OLLAMA_KV_CACHE_TYPE</c>: f16, q8_0 or q4_0 (quantised types need flash attention).</summary>
    public KvCacheType KvCacheType { get; set; } = KvCacheType.F16;

    /// <summary><c>OLLAMA_FLASH_ATTENTION</c>; null = automatic.</summary>
    public bool? FlashAttention { get; set; }

    /// <summary><c>OLLM_GPUS</c>: a configured GPU inventory instead of discovery (e.g. <c>cuda:24GiB,cuda:24GiB</c>).</summary>
    public string? Gpus { get; set; }

    /// <summary>False on a control silo (<c>OLLM_ROLE=control</c>, set by the role): placement passes it by.</summary>
    public bool HostsModels { get; set; } = true;

    /// <summary><c>OLLM_RUNNER</c>: <c>llama</c> (LLamaSharp) or <c>simulated</c>.</summary>
    public string Runner { get; set; } = "llama";

    /// <summary><c>OLLM_LLAMA_NATIVE</c>: a directory with a llama.cpp build to use instead of the packaged CPU one (a CUDA build).</summary>
    public string? LlamaNativeDirectory { get; set; }

    /// <summary><c>OLLM_MODELS</c>: the models root; nothing outside it is opened.</summary>
    public string Models { get; set; } = "models";

    /// <summary>How often a pinned or kept-alive model's reminder checks that it is loaded (survives host loss).</summary>
    public TimeSpan KeepAliveReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a load waits for busy models on its silo before it looks at the other silos again
    /// (and moves where it fits now, or after evicting idle models); then again at this interval.
    /// </summary>
    public TimeSpan RePlaceWaitingLoadAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an unloaded, idle model activation lingers before it deactivates (a stream's last reply may still be in flight).</summary>
    public TimeSpan RetireDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How soon a keep-alive intent that could not be written is tried again.</summary>
    public TimeSpan PersistRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A placement director's claim of room on a silo not followed by a load within this time is dropped.</summary>
    public TimeSpan ClaimLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a load waiting for room (busy models, victims that became busy) waits for its silo to change before it asks again.</summary>
    public TimeSpan LoadWaitPoll { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>OLLM_LOAD_ORDER</c>: <c>demand</c> (loads most requests wait for go first) or <c>fifo</c> (arrival order, the seed's).</summary>
    public LoadOrder LoadOrder { get; set; } = LoadOrder.Demand;

    /// <summary><c>OLLM_STARVATION_BOUND</c>: a load waiting this long goes before every load that has not (the no-starvation bound of <c>demand</c>).</summary>
    public TimeSpan StarvationBound { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>OLLM_DRAIN_BUSY_AFTER</c>: a load that waited this long for memory only busy models hold asks them to drain; zero = never (the seed's rule).</summary>
    public TimeSpan DrainBusyAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>OLLM_MIN_RESIDENCY</c>: a model loaded less than this long ago is never drained for another.</summary>
    public TimeSpan MinResidency { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary><c>OLLM_MAX_REPLICAS</c>: the most runners of one model in the cluster, its primary included; 1 = one per model (the seed's).</summary>
    public int MaxReplicas { get; set; } = ReplicaSettings.Default.MaxReplicas;

    /// <summary><c>OLLM_REPLICA_AFTER</c>: how long all of a model's runners must have had every slot taken before it gets another.</summary>
    public TimeSpan ReplicaAfter { get; set; } = ReplicaSettings.Default.AddAfter;

    public ReplicaSettings ReplicaSettings => new() { MaxReplicas = MaxReplicas, AddAfter = ReplicaAfter };

    public KeepAliveDuration DefaultKeepAlive => KeepAliveParser.FromEnvironment(KeepAlive);

    public SchedulerSettings SchedulerSettings => new()
    {
        Spread = SchedSpread,
        MaxLoadedModels = MaxLoadedModels,
        Estimator = new EstimatorSettings { GpuOverhead = GpuOverhead },
        LoadOrder = LoadOrder,
        StarvationBound = StarvationBound,
        DrainBusyAfter = DrainBusyAfter > TimeSpan.Zero ? DrainBusyAfter : null,
        MinResidency = MinResidency,
    };

    /// <summary>The server-level runner options a request's own are merged into.</summary>
    public RunnerOptions Apply(RunnerOptions requested) => requested with { KvCacheType = KvCacheType, FlashAttention = FlashAttention ?? requested.FlashAttention };

    /// <summary>A request's runner options as they are loaded: server settings applied, then Ollama's admission.</summary>
    public RunnerOptions Admit(RunnerOptions requested) => RunnerAdmission.Normalize(Apply(requested), NumParallel);
}
