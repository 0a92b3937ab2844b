using System.Diagnostics;
using System.Globalization;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Reporting;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.ChurnBench;

/// <summary>One benchmark run: models, trace, each system in turn on the same clock, then the reports.</summary>
internal static class ChurnRun
{
    public static async Task RunAsync(Scenario scenario, IReadOnlyList<string> systems, string directory, bool writeTrace, string command)
    {
        var wall = Stopwatch.StartNew();
        var loadAtStart = MachineLoad.Now();
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
        else if (scenario.AzureTrace is { } azure)
        {
            models = ModelSet.Create(scenario, modelDirectory, random);
            trace = AzureTrace.Generate(azure, scenario, models, random);
            scenario = scenario with { Duration = scenario.AzureDuration };
            workload = Invariant($"replay of Azure's 2023 conversation trace ({Path.GetFileName(azure)}, CC-BY 4.0, Patel et al., \"Splitwise\", ISCA 2024): its first {scenario.AzureDuration.TotalMinutes:0.#} minutes, {trace.Count} requests ({trace.Count / Math.Max(1, scenario.AzureDuration.TotalSeconds):0.00} req/s) with their real arrival times and lengths (cut to one slot's context); {models.Count} models assigned by a seeded Zipf (s = {scenario.ZipfS}) whose ranking rotates every {scenario.Phase.TotalMinutes:0.#} minutes");
        }
        else if (scenario.Drift)
        {
            models = ModelSet.Create(scenario, modelDirectory, random);
            trace = DriftGenerator.Generate(scenario, models, random);
            workload = Invariant($"drifting and bursty: {models.Count} models, Zipf s = {scenario.ZipfS} with the hot set rotating every {scenario.Phase.TotalMinutes:0.#} minutes, {scenario.Rate} req/s mean (calm, and bursts at {BurstArrivals.BurstFactor}× for {BurstArrivals.BurstShare:P0} of the time), lengths {DriftGenerator.TailFactor}× the spread, {scenario.Duration.TotalMinutes:0.#} simulated minutes, {trace.Count} requests");
        }
        else
        {
            models = ModelSet.Create(scenario, modelDirectory, random);
            trace = WorkloadGenerator.Generate(scenario, models, random);
            var arrivals = scenario.Arrivals == ArrivalPattern.Steady ? "" : $", {ArrivalProfile.Describe(scenario.Arrivals, scenario.Period)} (the rate is the peak)";
            workload = Invariant($"{models.Count} models, Zipf s = {scenario.ZipfS}, {scenario.Rate} req/s (Gamma gaps, CV {scenario.ArrivalCv}){arrivals}, {scenario.Duration.TotalMinutes:0.#} simulated minutes, {trace.Count} requests");
        }
        if (writeTrace)
            TraceCsv.Write(Path.Combine(directory, "churn-trace.csv"), trace);
        Console.WriteLine(workload);
        foreach (var m in models.OrderBy(m => m.PopularityRank))
            Console.WriteLine(Invariant($"  #{m.PopularityRank,-2} {m.Name,-22} {m.WeightBytes / (double)(1L << 30),5:0.0} GiB weights, keep_alive {m.KeepAlive}"));

        var vramPerHost = ConfiguredGpuInventory.ParseGpus(scenario.HostGpus).Sum(g => g.TotalMemory);
        var byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var runs = new List<(string System, IReadOnlyList<RequestRecord> Records, Recorder Recorder)>();
        var reports = new List<SystemReport>();
        var costs = new List<ElasticReport>();
        ElasticRun? elasticRun = null;
        IReadOnlyList<RequestRecord>? elasticRecords = null;
        var progress = new Progress<string>(Console.WriteLine);
        foreach (var name in systems)
        {
            // The elastic system's recorder holds its whole pool; a host not running holds nothing.
            var pool = name == ElasticSystem.SystemName ? scenario.ElasticMaxHosts : scenario.Hosts;
            var hostNames = Enumerable.Range(0, pool).Select(i => Invariant($"host-{i}")).ToArray();
            var recorder = new Recorder(new BenchClock(TimeProvider.System, scenario.Speedup), hostNames, vramPerHost);
            ISystemUnderTest system = name switch
            {
                "cluster" => new ClusterSystem(scenario, models, recorder),
                ElasticSystem.SystemName => new ElasticSystem(scenario, models, recorder),
                "baseline-rr" => new BaselineSystem(name, new HostRouter.RoundRobin(scenario.Hosts), scenario, models, recorder),
                BoundSystem.SystemName => new BoundSystem(scenario, models, recorder),
                "baseline-affinity" => new BaselineSystem(name, new HostRouter.Affinity(scenario.Hosts), scenario, models, recorder),
                _ => new BaselineSystem(name, new HostRouter.ConsistentHash(scenario.Hosts), scenario, models, recorder),
            };
            IReadOnlyList<RequestRecord> records;
            try
            {
                await system.StartAsync();
                Console.WriteLine($"{name}: started, replaying");
                records = await TraceDriver.RunAsync(system, trace, models, scenario, recorder, progress);
            }
            finally
            {
                // Disposed before the numbers: the elastic system's last decisions are read as it goes.
                await system.DisposeAsync();
            }
            var report = SystemReport.Compute(name, records, recorder, scenario.Duration.TotalSeconds, scenario.ThrashWindow.TotalSeconds,
                model => scenario.Timings.LoadSeconds(byName[model].WeightBytes));
            Console.WriteLine(Invariant($"{name}: {report.Completed} of {report.Requests} completed, {report.Busy503} refused, {report.Loads} loads, TTFT p50 {report.TtftP50:0.00} s, p99 {report.TtftP99:0.00} s, SLO {report.SloAttainment:P1}"));
            runs.Add((name, records, recorder));
            if (writeTrace)
                await File.WriteAllLinesAsync(Path.Combine(directory, $"churn-requests-{name}.csv"), RequestCsv(records));
            reports.Add(report);
            var run = (system as ElasticSystem)?.Run();
            if (run is not null)
                (elasticRun, elasticRecords) = (run, records);
            costs.Add(ElasticReport.Compute(name, records, recorder, scenario, byName, run));
        }

        var markdown = MarkdownReport.Build(scenario, workload, reports, command, wall.Elapsed, (loadAtStart, MachineLoad.Now()));
        var written = new List<string> { "churn.md", "churn.csv" };
        if (elasticRun is not null)
        {
            var hostPlot = HostPlot.Write(directory, scenario, elasticRun, elasticRecords!);
            markdown += Environment.NewLine + ElasticSection.Build(scenario, costs, elasticRun, Path.GetFileName(hostPlot));
            await File.WriteAllTextAsync(Path.Combine(directory, "elastic.csv"), ElasticCsv.Systems(costs));
            await File.WriteAllTextAsync(Path.Combine(directory, "elastic-decisions.csv"), ElasticCsv.Decisions(elasticRun, costs.First(c => c.Elastic)));
            await File.WriteAllTextAsync(Path.Combine(directory, "elastic-hosts.csv"), ElasticCsv.Hosts(elasticRun));
            written.AddRange(["elastic.csv", "elastic-decisions.csv", "elastic-hosts.csv", Path.GetFileName(hostPlot)]);
        }
        await File.WriteAllTextAsync(Path.Combine(directory, "churn.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(directory, "churn.csv"), CsvReport.Build(reports));
        written.AddRange(Plots.Write(directory, runs).Select(Path.GetFileName)!);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"Written to {directory}: {string.Join(", ", written)}");
    }

    private static IEnumerable<string> RequestCsv(IReadOnlyList<RequestRecord> records) =>
        records.Select(r => Invariant($"{r.Id},{r.Model},{r.Arrival:0.###},{r.Ttft:0.###},{r.QueueWait:0.###},{r.Cold},{r.Runner?.Host},{r.Runner?.RunnerReady:0.###},{r.Error?.Replace(',', ';')}"))
            .Prepend("id,model,arrival_s,ttft_s,queue_wait_s,cold,host,runner_ready_s,error");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
