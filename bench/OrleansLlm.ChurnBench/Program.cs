using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OrleansLlm.ChurnBench;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Reporting;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Gpus;

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
var systems = new Option<string>("--systems") { Description = "systems to run, comma-separated", DefaultValueFactory = _ => "cluster,baseline-rr,baseline-hash" };
var output = new Option<DirectoryInfo>("--out") { Description = "where results are written", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("bench", "results")) };
var writeTrace = new Option<bool>("--write-trace") { Description = "also write the trace (replayable) and every request's outcome per system as CSV" };

var root = new RootCommand("Replays a multi-model trace against the cluster and against independent Ollama-style hosts")
{
    hosts, gpus, models, zipf, rate, cv, minutes, seed, speedup, parallel, maxLoaded, large, replay, systems, output, writeTrace,
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
    };
    var chosen = result.GetValue(systems)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var unknown = chosen.Except(["cluster", "baseline-rr", "baseline-hash"]).ToArray();
    if (scenario.Hosts < 1 || scenario.Models < 1 || scenario.Rate <= 0 || scenario.ArrivalCv <= 0 || scenario.Speedup <= 0 || scenario.Duration <= TimeSpan.Zero || unknown.Length > 0)
    {
        await Console.Error.WriteLineAsync(unknown.Length > 0
            ? $"unknown system(s): {string.Join(", ", unknown)} (use cluster, baseline-rr, baseline-hash)"
            : "hosts, models, rate, cv, speedup and minutes must be positive");
        return 2;
    }
    var directory = result.GetValue(output)!.FullName;
    Directory.CreateDirectory(directory);
    var command = "dotnet run -c Release --project bench/OrleansLlm.ChurnBench" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
    await ChurnRun.RunAsync(scenario, chosen, directory, result.GetValue(writeTrace), command);
    return 0;
});
return await root.Parse(args).InvokeAsync();

/// <summary>One benchmark run: models, trace, each system in turn on the same clock, then the reports.</summary>
internal static class ChurnRun
{
    public static async Task RunAsync(Scenario scenario, IReadOnlyList<string> systems, string directory, bool writeTrace, string command)
    {
        var wall = Stopwatch.StartNew();
        var random = new Random(scenario.Seed);
        var modelDirectory = Path.Combine(Path.GetTempPath(), "ollm-churn-models");
        IReadOnlyList<BenchModel> models;
        IReadOnlyList<TraceRequest> trace;
        string workload;
        if (scenario.ReplayCsv is { } csv)
        {
            trace = TraceCsv.Read(csv);
            models = ModelSet.ForNames(trace.Select(r => r.Model).Distinct(StringComparer.Ordinal), scenario, modelDirectory, random);
            scenario = scenario with { Duration = TimeSpan.FromSeconds(trace.Count == 0 ? 0 : trace[^1].Arrival) };
            workload = Invariant($"replay of {Path.GetFileName(csv)}: {trace.Count} requests over {scenario.Duration.TotalMinutes:0.#} simulated minutes, {models.Count} models");
        }
        else
        {
            models = ModelSet.Create(scenario, modelDirectory, random);
            trace = WorkloadGenerator.Generate(scenario, models, random);
            workload = Invariant($"{models.Count} models, Zipf s = {scenario.ZipfS}, {scenario.Rate} req/s (Gamma gaps, CV {scenario.ArrivalCv}), {scenario.Duration.TotalMinutes:0.#} simulated minutes, {trace.Count} requests");
        }
        if (writeTrace)
            TraceCsv.Write(Path.Combine(directory, "churn-trace.csv"), trace);
        Console.WriteLine(workload);
        foreach (var m in models.OrderBy(m => m.PopularityRank))
            Console.WriteLine(Invariant($"  #{m.PopularityRank,-2} {m.Name,-22} {m.WeightBytes / (double)(1L << 30),5:0.0} GiB weights, keep_alive {m.KeepAlive}"));

        var vramPerHost = ConfiguredGpuInventory.ParseGpus(scenario.HostGpus).Sum(g => g.TotalMemory);
        var hostNames = Enumerable.Range(0, scenario.Hosts).Select(i => Invariant($"host-{i}")).ToArray();
        var runs = new List<(string System, IReadOnlyList<RequestRecord> Records, Recorder Recorder)>();
        var reports = new List<SystemReport>();
        var progress = new Progress<string>(Console.WriteLine);
        foreach (var name in systems)
        {
            var recorder = new Recorder(new BenchClock(TimeProvider.System, scenario.Speedup), hostNames, vramPerHost);
            await using ISystemUnderTest system = name switch
            {
                "cluster" => new ClusterSystem(scenario, models, recorder),
                "baseline-rr" => new BaselineSystem(name, new HostRouter.RoundRobin(scenario.Hosts), scenario, models, recorder),
                _ => new BaselineSystem(name, new HostRouter.ConsistentHash(scenario.Hosts), scenario, models, recorder),
            };
            await system.StartAsync();
            Console.WriteLine($"{name}: started, replaying");
            var records = await TraceDriver.RunAsync(system, trace, models, scenario, recorder, progress);
            var report = SystemReport.Compute(name, records, recorder, scenario.Duration.TotalSeconds, scenario.ThrashWindow.TotalSeconds);
            Console.WriteLine(Invariant($"{name}: {report.Completed} of {report.Requests} completed, {report.Loads} loads, TTFT p99 {report.TtftP99:0.00} s"));
            runs.Add((name, records, recorder));
            if (writeTrace)
                await File.WriteAllLinesAsync(Path.Combine(directory, $"churn-requests-{name}.csv"), RequestCsv(records));
            reports.Add(report);
        }

        var markdown = MarkdownReport.Build(scenario, workload, reports, command, wall.Elapsed);
        await File.WriteAllTextAsync(Path.Combine(directory, "churn.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(directory, "churn.csv"), CsvReport.Build(reports));
        var plots = Plots.Write(directory, runs);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"Written: {Path.Combine(directory, "churn.md")}, churn.csv, {string.Join(", ", plots.Select(Path.GetFileName))}");
    }

    private static IEnumerable<string> RequestCsv(IReadOnlyList<RequestRecord> records) =>
        records.Select(r => Invariant($"{r.Id},{r.Model},{r.Arrival:0.###},{r.Ttft:0.###},{r.QueueWait:0.###},{r.Cold},{r.Runner?.Host},{r.Runner?.RunnerReady:0.###},{r.Error?.Replace(',', ';')}"))
            .Prepend("id,model,arrival_s,ttft_s,queue_wait_s,cold,host,runner_ready_s,error");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
