using OrleansLlm.ChurnBench.Runners;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.ChurnBench;

/// <summary>Everything one benchmark run is: the hosts, the models, the workload, the timings, the clock.</summary>
internal sealed record Scenario
{
    /// <summary>GPU hosts in every system: cluster silos, or independent single-host schedulers.</summary>
    public int Hosts { get; init; } = 4;

    /// <summary>Each host's GPUs, as <c>OLLM_GPUS</c> writes them.</summary>
    public string HostGpus { get; init; } = "cuda:24GiB";

    public int Models { get; init; } = 12;

    /// <summary>Zipf exponent of model popularity: rank r gets a share proportional to 1 / r^s.</summary>
    public double ZipfS { get; init; } = 1.1;

    /// <summary>Mean arrivals per simulated second (a swinging or stepped trace's peak).</summary>
    /// <remarks>10 req/s at these lengths asks about 1,900 decoded tokens/s of 4 × 24 GiB GPUs that deliver about
    /// 1,600 when models share them: every system then queues without bound, and nothing is compared.</remarks>
    public double Rate { get; init; } = 5;

    /// <summary>Coefficient of variation of inter-arrival gaps (1 = Poisson; more = burstier).</summary>
    public double ArrivalCv { get; init; } = 1.5;

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(30);

    public ArrivalPattern Arrivals { get; init; } = ArrivalPattern.Steady;

    /// <summary>One cycle ("day") of a swinging or stepped trace.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMinutes(120);

    public int Seed { get; init; } = 42;

    /// <summary>Simulated seconds per wall-clock second, the same for every system.</summary>
    public double Speedup { get; init; } = 20;

    /// <summary><c>OLLAMA_NUM_PARALLEL</c> everywhere: slots per runner, and the KV cache they need.</summary>
    public int NumParallel { get; init; } = 8;

    /// <summary><c>num_ctx</c> of every request (per slot).</summary>
    public int NumCtx { get; init; } = 2048;

    /// <summary><c>OLLAMA_MAX_QUEUE</c> everywhere.</summary>
    public int MaxQueue { get; init; } = 512;

    /// <summary><c>OLLAMA_MAX_LOADED_MODELS</c> everywhere; 0 = Ollama's automatic 3 per GPU.</summary>
    public int MaxLoadedModels { get; init; }

    /// <summary>Median and spread (log-normal sigma) of prompt tokens; Azure's 2023 conversation trace has a median near 1k.</summary>
    public double PromptMedian { get; init; } = 1020;

    public double PromptSigma { get; init; } = 0.8;

    /// <summary>Median and spread of output tokens; the same trace has a median near 130.</summary>
    public double OutputMedian { get; init; } = 129;

    public double OutputSigma { get; init; } = 0.9;

    /// <summary>keep_alive each model's clients send, and how many models get it (weights).</summary>
    public IReadOnlyList<(TimeSpan KeepAlive, double Weight)> KeepAliveMix { get; init; } =
        [(TimeSpan.FromMinutes(5), 0.75), (TimeSpan.FromMinutes(30), 0.1), (TimeSpan.FromMinutes(1), 0.1), (TimeSpan.Zero, 0.05)];

    /// <summary>Include 70B-class shapes (they fit no 24 GiB GPU: partial offload).</summary>
    public bool LargeModels { get; init; }

    /// <summary>
    /// The drifting, bursty trace (<c>--drift</c>): calm and burst arrivals instead of Gamma gaps, a
    /// hot set that rotates every <see cref="Phase"/>, heavier-tailed lengths.
    /// </summary>
    public bool Drift { get; init; }

    /// <summary>How long a popularity ranking lasts before it rotates (drift and the Azure replay).</summary>
    public TimeSpan Phase { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Azure's 2023 conversation trace to replay (real arrivals and lengths, models assigned by a rotating Zipf).</summary>
    public string? AzureTrace { get; init; }

    /// <summary>How much of the Azure trace to replay, from its first request.</summary>
    public TimeSpan AzureDuration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A CSV trace to replay instead of generating one.</summary>
    public string? ReplayCsv { get; init; }

    public RunnerTimings Timings { get; init; } = new();

    /// <summary>Window in which an unload followed by a load of the same model counts as thrash.</summary>
    public TimeSpan ThrashWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The elastic system: from the provider's start call until the GPU silo is active. 60 s is the
    /// order of a Container Apps serverless GPU replica's start (Microsoft publishes no figure;
    /// image pull and GPU assignment take tens of seconds to minutes).
    /// </summary>
    public TimeSpan HostStart { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The elastic system's GPU hosts kept running (it starts with these).</summary>
    public int MinHosts { get; init; }

    /// <summary>The elastic system's pool of GPU hosts; 0 = <see cref="Hosts"/>, the always-on cluster's count.</summary>
    public int MaxHosts { get; init; }

    public int ElasticMaxHosts => MaxHosts > 0 ? MaxHosts : Hosts;

    /// <summary>The elastic system's autoscaler, in simulated time (min and max hosts come from above).</summary>
    public AutoscalerSettings Autoscaler { get; init; } = AutoscalerSettings.Default;

    /// <summary>How long a request waits for a GPU host before it is refused (<c>OLLM_HOST_WAIT</c>'s default).</summary>
    public TimeSpan HostWait { get; init; } = TimeSpan.FromMinutes(5);
}
