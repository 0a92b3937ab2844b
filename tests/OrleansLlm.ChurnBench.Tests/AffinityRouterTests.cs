using OrleansLlm.ChurnBench.Systems;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>The Ollama-fleet router's order: a free slot on the loaded model, free memory, idle models to evict, least loaded.</summary>
public sealed class AffinityRouterTests
{
    private static readonly SeedHostView Full = new(FreeSlot: false, FitsFree: false, FitsAfterIdleEvicted: false, Load: 0);

    [Fact]
    public void A_request_for_a_loaded_model_with_a_free_slot_goes_to_that_host_even_when_others_are_less_loaded()
    {
        SeedHostView[] hosts = [Full with { FitsFree = true, Load = 0 }, Full with { FreeSlot = true, Load = 5 }, Full with { Load = 1 }];

        Assert.Equal(1, AffinityRouter.Pick(hosts));
    }

    [Fact]
    public void Without_a_free_slot_the_model_goes_where_it_fits_then_where_idle_models_can_be_evicted_then_to_the_least_loaded()
    {
        Assert.Equal(2, AffinityRouter.Pick([Full with { FitsAfterIdleEvicted = true }, Full, Full with { FitsFree = true, FitsAfterIdleEvicted = true, Load = 3 }]));
        Assert.Equal(0, AffinityRouter.Pick([Full with { FitsAfterIdleEvicted = true, Load = 4 }, Full with { Load = 0 }]));
        Assert.Equal(1, AffinityRouter.Pick([Full with { Load = 2 }, Full with { Load = 1 }, Full with { Load = 1 }]));
    }

    [Fact]
    public async Task A_baseline_host_with_the_model_loaded_and_idle_is_the_one_the_router_picks()
    {
        await using var first = new SeedHostFixture();
        await using var second = new SeedHostFixture();
        var model = second.ModelFile("medium-routed", OrleansLlm.Gguf.Models.ShapedModelSpec.Llama3_8B_Q4_K_M);
        (await second.Medium("medium-routed", TimeSpan.FromMinutes(5))).Dispose();
        using var elsewhere = await first.Small("small-elsewhere", TimeSpan.FromMinutes(5));

        // The first host is less loaded only if the loaded model did not count: it wins on the free slot.
        Assert.Equal(1, AffinityRouter.Pick([first.View(model), second.View(model)]));
    }
}
