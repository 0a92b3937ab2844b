using System.Globalization;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.ChurnBench.Workload;

/// <summary>Writes the run's models (real headers over sparse data) and gives each a popularity rank and a keep_alive.</summary>
internal static class ModelSet
{
    public static IReadOnlyList<BenchModel> Create(Scenario scenario, string directory, Random random)
    {
        Directory.CreateDirectory(directory);
        var shapes = scenario.LargeModels ? [.. ModelShape.Default, .. ModelShape.Large] : ModelShape.Default.ToList();
        var picked = new List<ShapedModelSpec>();
        while (picked.Count < scenario.Models)
        {
            var round = shapes.OrderBy(_ => random.Next()).ToList();
            var copy = picked.Count / shapes.Count;
            picked.AddRange(round.Take(scenario.Models - picked.Count)
                .Select(s => copy == 0 ? s : s with { Name = string.Create(CultureInfo.InvariantCulture, $"{s.Name}-{copy + 1}") }));
        }

        var ranks = Enumerable.Range(1, picked.Count).OrderBy(_ => random.Next()).ToArray();
        return [.. picked.Select((spec, i) => Write(spec, directory, ranks[i], PickKeepAlive(scenario, random)))];
    }

    /// <summary>The models of a replayed trace: names must be shapes this benchmark knows.</summary>
    public static IReadOnlyList<BenchModel> ForNames(IEnumerable<string> names, Scenario scenario, string directory, Random random)
    {
        Directory.CreateDirectory(directory);
        var shapes = ModelShape.Default.Concat(ModelShape.Large).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var rank = 0;
        return [.. names.Select(name => shapes.TryGetValue(BaseName(name), out var spec)
            ? Write(spec with { Name = name }, directory, ++rank, PickKeepAlive(scenario, random))
            : throw new FormatException($"trace model '{name}' is not a known shape; known: {string.Join(", ", shapes.Keys)}"))];
    }

    private static string BaseName(string name)
    {
        var dash = name.LastIndexOf('-');
        return dash > 0 && int.TryParse(name.AsSpan(dash + 1), CultureInfo.InvariantCulture, out _) ? name[..dash] : name;
    }

    private static BenchModel Write(ShapedModelSpec spec, string directory, int rank, TimeSpan keepAlive)
    {
        var path = System.IO.Path.Combine(directory, spec.Name + ".gguf");
        if (!File.Exists(path))
            ShapedModel.Write(path, spec with { MergeCount = 0 });
        return new BenchModel(spec.Name, path, GgufReader.ReadFile(path), rank, keepAlive);
    }

    private static TimeSpan PickKeepAlive(Scenario scenario, Random random)
    {
        var total = scenario.KeepAliveMix.Sum(k => k.Weight);
        var x = random.NextDouble() * total;
        foreach (var (keepAlive, weight) in scenario.KeepAliveMix)
        {
            if (x < weight)
                return keepAlive;
            x -= weight;
        }
        return scenario.KeepAliveMix[^1].KeepAlive;
    }
}
