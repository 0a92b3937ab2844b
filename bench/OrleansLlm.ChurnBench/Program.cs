using System.CommandLine;
using OrleansLlm.ChurnBench;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.ChurnBench.Workload;

var defaults = new Scenario();
var hosts = new Option<int>("--hosts") { Description = "GPU hosts in every system", DefaultValueFactory = _ => defaults.Hosts };
var gpus = new Option<string>("--gpus") { Description = "each host's GPUs, as OLLM_GPUS", DefaultValueFactory = _ => defaults.HostGpus };
var models = new Option<int>("--models") { Description = "models in the workload", DefaultValueFactory = _ => defaults.Models };
var zipf = new Option<double>("--zipf") { Description = "Zipf exponent s of model popularity", DefaultValueFactory = _ => defaults.ZipfS };
var rate = new Option<double>("--rate") { Description = "mean requests per simulated second", DefaultValueFactory = _ => defaults.Rate };
var cv = new Option<double>("--cv") { Description = "burstiness: coefficient of variation of inter-arrival gaps", DefaultValueFactory = _ => defaults.ArrivalCv };
var minutes = new Option<double>("--minutes") { Description = "simulated minutes of trace", DefaultValueFactory = _ => defaults.Duration.TotalMinutes };
var seed = new Option<int>("--seed") { Description = "seed of the workload", DefaultValueFactory = _ => defaults.Seed };
var speedup = new Option<double>("--speedup") { Description = "simulated seconds per wall-clock second", DefaultValueFactory = _ => defaults.Speedup };
var parallel = new Option<int>("--parallel") { Description = "OLLAMA_NUM_PARALLEL for every system", DefaultValueFactory = _ => defaults.NumParallel };
var maxLoaded = new Option<int>("--max-loaded") { Description = "OLLAMA_MAX_LOADED_MODELS (0: 3 per GPU)", DefaultValueFactory = _ => defaults.MaxLoadedModels };
var large = new Option<bool>("--large-models") { Description = "also draw 70B-class models" };
var replay = new Option<FileInfo?>("--replay") { Description = "replay a CSV trace (time_s,model,prompt_tokens,output_tokens) instead of generating one" };
var arrivals = new Option<ArrivalPattern>("--arrivals") { Description = "steady, swing (half-sine days and quiet nights; --rate is the peak) or step (the rate, then nothing; alternating)", DefaultValueFactory = _ => defaults.Arrivals };
var period = new Option<double>("--period") { Description = "simulated minutes of one swing or step cycle", DefaultValueFactory = _ => defaults.Period.TotalMinutes };
var drift = new Option<bool>("--drift") { Description = "a drifting, bursty trace: calm and burst (4× the mean rate) arrivals, the hot set rotating every --phase, heavier-tailed lengths" };
var phase = new Option<double>("--phase") { Description = "simulated seconds between rotations of the popularity ranking (--drift, --azure-trace)", DefaultValueFactory = _ => defaults.Phase.TotalSeconds };
var azureTrace = new Option<FileInfo?>("--azure-trace") { Description = "replay Azure's 2023 conversation trace (TIMESTAMP,ContextTokens,GeneratedTokens): its arrivals and lengths, models by a rotating Zipf" };
var azureMinutes = new Option<double>("--azure-minutes") { Description = "minutes of the Azure trace to replay, from its start", DefaultValueFactory = _ => defaults.AzureDuration.TotalMinutes };
var systems = new Option<string>("--systems") { Description = "systems to run, comma-separated: cluster, baseline-rr, baseline-hash, baseline-affinity, bound, elastic", DefaultValueFactory = _ => "cluster,baseline-rr,baseline-hash" };
var hostStart = new Option<double>("--host-start")
{
    Description = "elastic: simulated seconds from a host's start call until its silo boots (default 60, the order of an Azure Container Apps serverless GPU replica's start)",
    DefaultValueFactory = _ => defaults.HostStart.TotalSeconds,
};
var minHosts = new Option<int>("--min-hosts") { Description = "elastic: GPU hosts always running (it starts with these)", DefaultValueFactory = _ => defaults.MinHosts };
var maxHosts = new Option<int>("--max-hosts") { Description = "elastic: GPU hosts in its pool (default: --hosts, the always-on cluster's)", DefaultValueFactory = _ => defaults.MaxHosts };
var output = new Option<DirectoryInfo>("--out") { Description = "where results are written", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("bench", "results")) };
var writeTrace = new Option<bool>("--write-trace") { Description = "also write the trace (replayable) and every request's outcome per system as CSV" };

var root = new RootCommand("Replays a multi-model trace against the cluster and against independent Ollama-style hosts")
{
    hosts, gpus, models, zipf, rate, cv, minutes, arrivals, period, seed, speedup, parallel, maxLoaded, large, replay, drift, phase, azureTrace, azureMinutes, systems, hostStart, minHosts, maxHosts, output, writeTrace,
};
root.SetAction(async (result, _) =>
{
    var scenario = new Scenario
    {
        Hosts = result.GetValue(hosts),
        HostGpus = result.GetValue(gpus)!,
        Models = result.GetValue(models),
        ZipfS = result.GetValue(zipf),
        Rate = result.GetValue(rate),
        ArrivalCv = result.GetValue(cv),
        Duration = TimeSpan.FromMinutes(result.GetValue(minutes)),
        Seed = result.GetValue(seed),
        Speedup = result.GetValue(speedup),
        NumParallel = result.GetValue(parallel),
        MaxLoadedModels = result.GetValue(maxLoaded),
        LargeModels = result.GetValue(large),
        ReplayCsv = result.GetValue(replay)?.FullName,
        Drift = result.GetValue(drift),
        Phase = TimeSpan.FromSeconds(result.GetValue(phase)),
        AzureTrace = result.GetValue(azureTrace)?.FullName,
        AzureDuration = TimeSpan.FromMinutes(result.GetValue(azureMinutes)),
        Arrivals = result.GetValue(arrivals),
        Period = TimeSpan.FromMinutes(result.GetValue(period)),
        HostStart = TimeSpan.FromSeconds(result.GetValue(hostStart)),
        MinHosts = result.GetValue(minHosts),
        MaxHosts = result.GetValue(maxHosts),
    };
    var chosen = result.GetValue(systems)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var unknown = chosen.Except(["cluster", "baseline-rr", "baseline-hash", "baseline-affinity", BoundSystem.SystemName, ElasticSystem.SystemName]).ToArray();
    if (scenario.Hosts < 1 || scenario.Models < 1 || scenario.Rate <= 0 || scenario.ArrivalCv <= 0 || scenario.Speedup <= 0 || scenario.Duration <= TimeSpan.Zero
        || scenario.Period <= TimeSpan.Zero || scenario.Phase <= TimeSpan.Zero || scenario.AzureDuration <= TimeSpan.Zero || unknown.Length > 0)
    {
        await Console.Error.WriteLineAsync(unknown.Length > 0
            ? $"unknown system(s): {string.Join(", ", unknown)} (use cluster, baseline-rr, baseline-hash, baseline-affinity, bound, elastic)"
            : "hosts, models, rate, cv, speedup, minutes, period, phase and azure minutes must be positive");
        return 2;
    }
    if (scenario.HostStart < TimeSpan.Zero || scenario.MinHosts < 0 || scenario.MaxHosts < 0 || scenario.MinHosts > scenario.ElasticMaxHosts)
    {
        await Console.Error.WriteLineAsync("host start must not be negative, and min hosts must be between 0 and max hosts");
        return 2;
    }
    var directory = result.GetValue(output)!.FullName;
    Directory.CreateDirectory(directory);
    var command = "dotnet run -c Release --project bench/OrleansLlm.ChurnBench" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
    await ChurnRun.RunAsync(scenario, chosen, directory, result.GetValue(writeTrace), command);
    return 0;
});
return await root.Parse(args).InvokeAsync();
