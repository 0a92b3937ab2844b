using System.Globalization;

namespace OrleansLlm.ChurnBench.Workload;

/// <summary>
/// Azure's 2023 LLM inference trace (<c>TIMESTAMP,ContextTokens,GeneratedTokens</c>; CC-BY 4.0,
/// Patel et al., "Splitwise", ISCA 2024): real arrival times and token counts. The trace names no
/// model, so each request gets one from a seeded Zipf whose ranking rotates every phase.
/// </summary>
internal static class AzureTrace
{
    public const string Header = "TIMESTAMP,ContextTokens,GeneratedTokens";

    /// <summary>The file's requests in its first <paramref name="duration"/>: seconds since its first request, context and generated tokens.</summary>
    public static IReadOnlyList<(double Arrival, int Context, int Generated)> Read(string path, TimeSpan duration)
    {
        var rows = new List<(double, int, int)>();
        DateTime? first = null;
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (number == 1 && line.StartsWith("TIMESTAMP", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(line))
                continue;
            var fields = line.Split(',');
            if (fields.Length != 3
                || !DateTime.TryParse(fields[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var context)
                || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var generated))
                throw new FormatException($"{path}:{number}: expected '{Header}' values, got '{line}'");
            first ??= at;
            var arrival = (at - first.Value).TotalSeconds;
            if (arrival < 0)
                throw new FormatException($"{path}:{number}: arrivals must be in time order ('{fields[0]}' is before the first request)");
            if (arrival >= duration.TotalSeconds)
                break;
            rows.Add((arrival, context, generated));
        }
        return rows;
    }

    /// <summary>The replayable trace: the file's arrivals and lengths (cut to one slot's context), models from a rotating Zipf.</summary>
    public static IReadOnlyList<TraceRequest> Generate(string path, Scenario scenario, IReadOnlyList<BenchModel> models, Random random)
    {
        var popularity = new RotatingPopularity(models, scenario.ZipfS, scenario.Phase, random);
        return [.. Read(path, scenario.AzureDuration).Select((r, i) =>
        {
            var (prompt, output) = SlotContext.Fit(scenario, r.Context, r.Generated);
            return new TraceRequest(i, r.Arrival, popularity.Sample(r.Arrival).Name, prompt, output);
        })];
    }
}
