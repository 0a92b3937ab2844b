using System.Globalization;
using OrleansLlm.ChurnBench.Workload;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>The Azure 2023 conversation trace replay: the file's arrivals and lengths, models from a rotating Zipf.</summary>
public sealed class AzureTraceTests
{
    /// <summary>The trace as the project keeps it beside the repository (CC-BY 4.0; see its README.md).</summary>
    private const string ConversationTrace = "/work/shared/data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv";

    [Fact]
    public void A_replay_keeps_the_files_arrival_times_and_lengths_and_stops_at_the_window()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ollm-azure-{Environment.ProcessId}.csv");
        File.WriteAllLines(path,
        [
            AzureTrace.Header,
            "2023-11-16 18:15:46.5000000,374,44",
            "2023-11-16 18:15:47.0000000,396,109",
            "2023-11-16 18:16:45.0000000,5000,900",
            "2023-11-16 18:16:46.5000000,91,16",
        ]);
        var scenario = new Scenario { AzureTrace = path, AzureDuration = TimeSpan.FromMinutes(1) };
        var random = new Random(1);
        var models = ModelSet.Create(scenario, Path.Combine(Path.GetTempPath(), "ollm-azure-tests"), random);

        var trace = AzureTrace.Generate(path, scenario, models, random);

        Assert.Equal([0, 0.5, 58.5], trace.Select(r => Math.Round(r.Arrival, 3)));
        Assert.Equal([(374, 44), (396, 109)], trace.Take(2).Select(r => (r.PromptTokens, r.OutputTokens)));
        // Longer than one slot's context (2048): the answer is cut to a quarter, the prompt to the rest.
        Assert.Equal((1536, 512), (trace[2].PromptTokens, trace[2].OutputTokens));
        Assert.All(trace, r => Assert.Contains(models, m => m.Name == r.Model));
    }

    [Fact]
    public void The_conversation_traces_first_minutes_replay_every_request_at_the_files_rate()
    {
        Assert.True(File.Exists(ConversationTrace), $"{ConversationTrace} is missing: the Azure trace replay is tested on the real file");
        var minutes = 3;
        // Counted from the file's text alone: rows whose timestamp is within the first minutes.
        var stamps = File.ReadLines(ConversationTrace).Skip(1)
            .Select(line => DateTime.ParseExact(line[..line.IndexOf(',', StringComparison.Ordinal)], "yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture))
            .ToArray();
        var expected = stamps.Count(t => (t - stamps[0]).TotalMinutes < minutes);

        var scenario = new Scenario { AzureTrace = ConversationTrace, AzureDuration = TimeSpan.FromMinutes(minutes), Phase = TimeSpan.FromMinutes(1) };
        var random = new Random(5);
        var models = ModelSet.Create(scenario, Path.Combine(Path.GetTempPath(), "ollm-azure-tests"), random);
        var trace = AzureTrace.Generate(ConversationTrace, scenario, models, random);

        Assert.Equal(expected, trace.Count);
        Assert.InRange(trace.Count / (minutes * 60.0), 4, 5);     // the file's first minutes: 785 requests, 4.4 req/s
        Assert.Equal(trace.OrderBy(r => r.Arrival).Select(r => r.Id), trace.Select(r => r.Id));
        // The hottest model of the first minute is not the hottest of the second: the ranking rotates.
        string Hottest(int minute) => trace.Where(r => (int)(r.Arrival / 60) == minute).GroupBy(r => r.Model).MaxBy(g => g.Count())!.Key;
        Assert.NotEqual(Hottest(0), Hottest(1));
    }
}
