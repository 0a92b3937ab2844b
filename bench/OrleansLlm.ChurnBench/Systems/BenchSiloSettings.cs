using System.Globalization;
using Microsoft.Extensions.Configuration;
using OrleansLlm.Grains.Configuration;

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
            // Every real-time constant of the scheduler at its default, on the run's clock: a wait
            // that stayed real would be the speedup times longer in simulated time than in a real
            // deployment, and the cluster would be judged by a slower scheduler than it is.
            ["Ollm:RePlaceWaitingLoadAfter"] = Scaled(clock, Defaults.RePlaceWaitingLoadAfter),
            ["Ollm:LoadTimeout"] = Scaled(clock, Defaults.LoadTimeout),
            ["Ollm:LoadWaitPoll"] = Scaled(clock, Defaults.LoadWaitPoll),
            ["Ollm:ClaimLifetime"] = Scaled(clock, Defaults.ClaimLifetime),
            ["Ollm:RetireDelay"] = Scaled(clock, Defaults.RetireDelay),
            ["Ollm:PersistRetryDelay"] = Scaled(clock, Defaults.PersistRetryDelay),
            ["Ollm:KeepAliveReminderPeriod"] = Scaled(clock, Defaults.KeepAliveReminderPeriod),
            ["Ollm:StarvationBound"] = Scaled(clock, Defaults.StarvationBound),
            ["Ollm:DrainBusyAfter"] = Scaled(clock, Defaults.DrainBusyAfter),
            ["Ollm:MinResidency"] = Scaled(clock, Defaults.MinResidency),
            ["Ollm:ReplicaAfter"] = Scaled(clock, Defaults.ReplicaAfter),
        }).Build();

    private static readonly OrleansLlmOptions Defaults = new();

    private static string Scaled(BenchClock clock, TimeSpan simulated) => clock.ToReal(simulated).ToString("c", CultureInfo.InvariantCulture);
}
