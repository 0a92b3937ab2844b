using BenchmarkDotNet.Running;
using OrleansLlm.Benchmarks;

return args switch
{
    ["estimate-accuracy", ..] => EstimateAccuracy.Run(args.Length > 1 ? args[1] : Path.Combine("bench", "results", "estimate-accuracy.md")),
    ["api-latency", ..] => await ApiLatency.Run(args.Length > 1 ? args[1] : Path.Combine("bench", "results", "api-latency.md")),
    ["grammar-cost", ..] => await GrammarCost.Run(args.Length > 1 ? args[1] : Path.Combine("bench", "results", "grammar-cost.md")),
    ["runner-throughput", ..] => await RunnerThroughput.Run(args.Length > 1 ? args[1] : Path.Combine("bench", "results", "runner-throughput.md")),
    ["measure-one", var path, var context] => EstimateAccuracy.MeasureOne(path, int.Parse(context, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(InProcessConfig).Assembly).Run(args, InProcessConfig.Create());
    return 0;
}
