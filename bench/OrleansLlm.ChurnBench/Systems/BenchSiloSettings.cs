using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>The configuration every silo of a benchmark cluster gets: the scenario's scheduler settings, on the run's clock.</summary>
internal static class BenchSiloSettings
{
    public static IConfiguration For(Scenario scenario, BenchClock clock, string gpus, string runner) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ollm:Gpus"] = gpus,
            ["Ollm:Runner"] = runner,
            ["Ollm:NumParallel"] = scenario.NumParallel.ToString(CultureInfo.InvariantCulture),
            ["Ollm:MaxQueue"] = scenario.MaxQueue.ToString(CultureInfo.InvariantCulture),
            ["Ollm:MaxLoadedModels"] = scenario.MaxLoadedModels.ToString(CultureInfo.InvariantCulture),
            // The scheduler's own default (5 s), on the run's clock.
            ["Ollm:RePlaceWaitingLoadAfter"] = clock.ToReal(TimeSpan.FromSeconds(5)).ToString("c", CultureInfo.InvariantCulture),
        }).Build();
}
