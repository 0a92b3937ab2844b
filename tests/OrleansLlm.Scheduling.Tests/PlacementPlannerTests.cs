using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using static OrleansLlm.Scheduling.Tests.TestModels;

namespace OrleansLlm.Scheduling.Tests;

public class PlacementPlannerTests
{
    private static readonly GpuInfo Ram = Cpu(64);

    [Fact]
    public void Num_gpu_zero_places_the_model_on_the_cpu()
    {
        var decision = PlacementPlanner.Plan(Llama8B, RunnerOptions.Default with { NumGpu = 0 }, new HostSnapshot([Gpu("0", 24)], Ram, []));

        Assert.Equal(PlacementOutcome.Load, decision.Outcome);
        Assert.True(decision.OnCpu);
        Assert.Equal(0, decision.Estimate!.Layers);
    }

    [Fact]
    public void A_host_without_gpus_places_on_the_cpu()
    {
        var decision = PlacementPlanner.Plan(Llama1B, RunnerOptions.Default, new HostSnapshot([], Ram, []));

        Assert.Equal(PlacementOutcome.Load, decision.Outcome);
        Assert.True(decision.OnCpu);
    }

    [Fact]
    public void A_first_model_too_big_for_the_gpus_loads_partially_with_the_rest_in_system_memory()
    {
        var decision = PlacementPlanner.Plan(Llama70B, RunnerOptions.Default, new HostSnapshot([Gpu("0", 24)], Cpu(128), []));

        Assert.Equal(PlacementOutcome.Load, decision.Outcome);
        Assert.InRange(decision.Estimate!.Layers, 1, decision.Estimate.LayersModel - 1);
        Assert.True(decision.Estimate.RamSize > 0);
    }

    [Fact]
    public void A_second_model_must_fit_fully_or_something_is_evicted()
    {
        var loaded = Loaded("/m/8b", gpu: "0", gib: 20);

        var decision = PlacementPlanner.Plan(Llama8B, RunnerOptions.Default, new HostSnapshot([Gpu("0", 24)], Ram, [loaded]));

        Assert.Equal(PlacementOutcome.NeedsEviction, decision.Outcome);
    }

    [Fact]
    public void A_second_model_loads_beside_the_first_when_it_fits()
    {
        var loaded = Loaded("/m/1b", gpu: "0", gib: 3);

        var decision = PlacementPlanner.Plan(Llama8B, RunnerOptions.Default, new HostSnapshot([Gpu("0", 24)], Ram, [loaded]));

        Assert.Equal(PlacementOutcome.Load, decision.Outcome);
        Assert.Equal("0", Assert.Single(decision.Devices).Id);
    }

    [Fact]
    public void The_max_loaded_cap_asks_for_an_eviction_even_with_room()
    {
        var settings = SchedulerSettings.Default with { MaxLoadedModels = 1 };
        var loaded = Loaded("/m/1b", gpu: "0", gib: 1);

        var decision = PlacementPlanner.Plan(Llama1B, RunnerOptions.Default, new HostSnapshot([Gpu("0", 80)], Ram, [loaded]), settings);

        Assert.Equal(PlacementOutcome.NeedsEviction, decision.Outcome);
        Assert.Contains("maximum is 1", decision.Reason);
    }

    [Fact]
    public void The_default_cap_is_three_per_gpu()
    {
        Assert.Equal(6, SchedulerSettings.Default.EffectiveMaxLoadedModels(2));
        Assert.Equal(3, SchedulerSettings.Default.EffectiveMaxLoadedModels(0));
    }

    [Fact]
    public void When_only_a_loading_gpu_could_take_the_model_it_waits_for_that_load()
    {
        var loading = Loaded("/m/other", gpu: "1", gib: 1) with { Loading = true };
        var busy = Loaded("/m/big", gpu: "0", gib: 23);

        var decision = PlacementPlanner.Plan(Llama8B, RunnerOptions.Default, new HostSnapshot([Gpu("0", 24), Gpu("1", 24)], Ram, [busy, loading]));

        Assert.Equal(PlacementOutcome.RetryAfterLoad, decision.Outcome);
    }

    [Fact]
    public void A_model_too_big_for_the_whole_host_says_what_it_needs_and_what_there_is()
    {
        var decision = PlacementPlanner.Plan(Llama70B, RunnerOptions.Default, new HostSnapshot([Gpu("0", 8)], Cpu(16), []));

        Assert.Equal(PlacementOutcome.TooLarge, decision.Outcome);
        Assert.Matches(@"model requires \d+(\.\d)? GiB but only \d+(\.\d)? GiB of GPU and system memory is available", decision.Reason);
    }

    [Fact]
    public void A_model_too_big_for_the_cpu_says_so()
    {
        var decision = PlacementPlanner.Plan(Llama8B, RunnerOptions.Default with { NumGpu = 0 }, new HostSnapshot([], Cpu(2), []));

        Assert.Equal(PlacementOutcome.TooLarge, decision.Outcome);
        Assert.Contains("of system memory is available", decision.Reason);
    }

    private static LoadedRunner Loaded(string path, string gpu, long gib) => new()
    {
        ModelPath = path,
        KeepAlive = KeepAliveDuration.Default,
        TotalBytes = gib * Bytes.GiB,
        VramByGpu = new Dictionary<string, long> { [gpu] = gib * Bytes.GiB },
    };
}
