using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using static OrleansLlm.Scheduling.Tests.TestModels;

namespace OrleansLlm.Scheduling.Tests;

public class GpuSelectionTests
{
    [Fact]
    public void A_model_that_fits_one_gpu_goes_on_the_one_with_most_free_memory()
    {
        GpuInfo[] gpus = [Gpu("small", 12), Gpu("big", 24), Gpu("mid", 16)];

        var fit = GpuSelection.PickBestFit(Llama8B, gpus, RunnerOptions.Default, spread: false)!;

        Assert.Equal(["big"], fit.Gpus.Select(g => g.Id));
        Assert.True(fit.Estimate.FullyOffloaded);
    }

    [Fact]
    public void Spread_mode_uses_the_whole_library_group()
    {
        GpuInfo[] gpus = [Gpu("0", 24), Gpu("1", 24)];

        var fit = GpuSelection.PickBestFit(Llama8B, gpus, RunnerOptions.Default, spread: true)!;

        Assert.Equal(2, fit.Gpus.Count);
        Assert.All(fit.Estimate.LayerCounts, c => Assert.True(c > 0));
    }

    [Fact]
    public void A_model_too_big_for_any_single_gpu_splits_over_the_group()
    {
        GpuInfo[] gpus = [Gpu("0", 12), Gpu("1", 12)];

        var fit = GpuSelection.PickBestFit(Llama8BF16, gpus, RunnerOptions.Default, spread: false)!;

        Assert.Equal(2, fit.Gpus.Count);
        Assert.Equal(fit.Estimate.LayersModel, fit.Estimate.Layers);
    }

    [Fact]
    public void Gpus_of_different_libraries_are_never_combined()
    {
        GpuInfo[] gpus = [Gpu("c0", 10), Gpu("r0", 10, GpuLibraries.Rocm), Gpu("c1", 10)];

        var groups = GpuSelection.ByLibrary(gpus);

        Assert.Equal([["c0", "c1"], ["r0"]], groups.Select(g => g.Select(x => x.Id).ToArray()));
        var fit = GpuSelection.PickBestFit(Llama8BF16, gpus, RunnerOptions.Default, spread: false)!;
        Assert.Single(fit.Gpus.Select(g => g.Library).Distinct());
    }

    [Fact]
    public void Nothing_fits_gives_null()
    {
        Assert.Null(GpuSelection.PickBestFit(Llama70B, [Gpu("0", 24)], RunnerOptions.Default, spread: false));
    }

    [Fact]
    public void Free_memory_is_the_smaller_of_the_reported_and_the_accounted()
    {
        GpuInfo[] gpus = [Gpu("0", 24, freeGib: 20), Gpu("1", 24, freeGib: 3)];
        LoadedRunner[] runners = [SeedEvictionTests.Runner("m", KeepAliveDuration.Default, gib: 10, gpu: "0")];

        var accounted = GpuSelection.AccountForLoaded(gpus, runners);

        Assert.Equal(14 * Bytes.GiB, accounted[0].FreeMemory); // 24 - 10 is less than the reported 20
        Assert.Equal(3 * Bytes.GiB, accounted[1].FreeMemory);  // the driver's 3 is less than 24
    }

    [Fact]
    public void Predicted_use_beyond_the_total_leaves_zero_free()
    {
        LoadedRunner[] runners = [SeedEvictionTests.Runner("m", KeepAliveDuration.Default, gib: 30, gpu: "0")];

        Assert.Equal(0, GpuSelection.AccountForLoaded([Gpu("0", 24)], runners)[0].FreeMemory);
    }

    [Fact]
    public void Gpus_with_a_load_in_progress_are_excluded()
    {
        LoadedRunner[] runners = [SeedEvictionTests.Runner("loading", KeepAliveDuration.Default, gpu: "1") with { Loading = true }];

        Assert.Equal(["0", "2"], GpuSelection.WithoutLoading([Gpu("0", 8), Gpu("1", 8), Gpu("2", 8)], runners).Select(g => g.Id));
    }
}

public class VramRecoveryTests
{
    private static GpuInfo Free(string id, long gib) => TestModels.Gpu(id, 80) with { FreeMemory = gib * Bytes.GiB };

    [Fact]
    public void Memory_is_recovered_once_80_percent_of_the_estimate_is_free_again()
    {
        Assert.False(VramRecovery.HasRecovered([Free("0", 10)], [Free("0", 17)], 10 * Bytes.GiB));
        Assert.True(VramRecovery.HasRecovered([Free("0", 10)], [Free("0", 19)], 10 * Bytes.GiB));
    }

    [Fact]
    public void Free_memory_that_dropped_is_not_mistaken_for_recovery_as_the_seeds_unsigned_subtraction_did()
    {
        Assert.False(VramRecovery.HasRecovered([Free("0", 10)], [Free("0", 4)], 10 * Bytes.GiB));
    }

    [Fact]
    public void Only_the_runners_gpus_count()
    {
        Assert.False(VramRecovery.HasRecovered([Free("0", 10)], [Free("0", 10), Free("1", 70)], 10 * Bytes.GiB));
    }
}
