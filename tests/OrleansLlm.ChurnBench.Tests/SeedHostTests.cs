using OrleansLlm.Abstractions.Errors;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>
/// The baselines' single-host policy makes the seed's decisions (Ollama's sched.go, with v0.2's
/// three-per-GPU cap): scripted sequences pin the eviction order, the cap, keep-alive expiry,
/// no pre-emption, serialised loads and the bounded queue.
/// </summary>
public sealed class SeedHostTests
{
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task At_the_cap_the_idle_runner_with_the_shortest_keep_alive_is_unloaded_first_ties_by_path()
    {
        await using var seed = new SeedHostFixture(maxLoadedModels: 3);
        (await seed.Small("small-a", 5 * OneMinute)).Dispose();
        (await seed.Small("small-b", OneMinute)).Dispose();
        (await seed.Small("small-c", 10 * OneMinute)).Dispose();

        (await seed.Small("small-d", 5 * OneMinute)).Dispose();
        Assert.Equal([("small-b", true)], seed.Unloads);
        Assert.Equal(["small-a", "small-c", "small-d"], seed.Loaded);

        // small-a and small-d both keep 5 minutes: the path decides.
        (await seed.Small("small-e", 5 * OneMinute)).Dispose();
        Assert.Equal([("small-b", true), ("small-a", true)], seed.Unloads);
        Assert.Equal(["small-c", "small-d", "small-e"], seed.Loaded);
    }

    [Fact]
    public async Task A_busy_victim_is_not_preempted_it_unloads_when_its_request_finishes()
    {
        await using var seed = new SeedHostFixture(maxLoadedModels: 1);
        var busy = await seed.Small("small-busy", 5 * OneMinute);

        var waiting = seed.Small("small-next", 5 * OneMinute);
        await SeedHostFixture.Eventually(() => seed.Host.BlockedOn == "unload", "the request waits for its victim's unload");
        Assert.False(waiting.IsCompleted);
        Assert.Empty(seed.Unloads);
        Assert.Equal(["small-busy"], seed.Loaded);

        busy.Dispose();
        (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
        Assert.Equal([("small-busy", true)], seed.Unloads);
        Assert.Equal(["load small-busy", "ready small-busy", "unload small-busy", "load small-next", "ready small-next"], seed.Runners.Log);
    }

    [Fact]
    public async Task An_idle_runner_unloads_when_its_keep_alive_runs_out_and_not_before()
    {
        await using var seed = new SeedHostFixture();
        (await seed.Small("small-expiring", OneMinute)).Dispose();

        seed.Clock.Advance(TimeSpan.FromSeconds(59));     // a fake clock fires due timers inside Advance
        Assert.Equal(0, seed.Host.ExpiriesSignalled);
        Assert.Equal(["small-expiring"], seed.Loaded);

        seed.Clock.Advance(TimeSpan.FromSeconds(1));
        await SeedHostFixture.Eventually(() => seed.Loaded.Count == 0, "the runner expired");
        Assert.Equal([("small-expiring", false)], seed.Unloads);
    }

    [Fact]
    public async Task Keep_alive_zero_unloads_when_the_last_request_finishes()
    {
        await using var seed = new SeedHostFixture();
        var first = await seed.Small("small-zero", TimeSpan.Zero);
        var second = await seed.Small("small-zero", TimeSpan.Zero);

        first.Dispose();                                  // the lease's end is handled before Dispose returns
        Assert.Equal(0, seed.Host.ExpiriesSignalled);
        Assert.Equal(["small-zero"], seed.Loaded);

        second.Dispose();
        await SeedHostFixture.Eventually(() => seed.Loaded.Count == 0, "the runner unloaded");
        Assert.Equal(["load small-zero", "ready small-zero", "unload small-zero"], seed.Runners.Log);
    }

    [Fact]
    public async Task A_new_request_stops_the_countdown_and_brings_its_own_keep_alive()
    {
        await using var seed = new SeedHostFixture();
        (await seed.Small("small-renewed", OneMinute)).Dispose();
        seed.Clock.Advance(TimeSpan.FromSeconds(30));

        (await seed.Small("small-renewed", 5 * OneMinute)).Dispose();
        seed.Clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(0, seed.Host.ExpiriesSignalled);     // the first countdown was stopped, the second is not due
        Assert.Equal(["small-renewed"], seed.Loaded);

        seed.Clock.Advance(TimeSpan.FromSeconds(1));
        await SeedHostFixture.Eventually(() => seed.Loaded.Count == 0, "the renewed keep-alive ran out");
    }

    [Fact]
    public async Task A_model_that_does_not_fit_beside_the_loaded_ones_evicts_an_idle_one_by_keep_alive_not_size()
    {
        await using var seed = new SeedHostFixture();
        (await seed.Large("large-first", 5 * OneMinute)).Dispose();
        (await seed.Medium("medium-kept", OneMinute)).Dispose();

        // 14 + 5 + 14 GiB exceed the 24 GiB GPU: the seed ignores size and takes the shortest keep-alive.
        (await seed.Large("large-second", 5 * OneMinute)).Dispose();
        Assert.Equal(("medium-kept", true), seed.Unloads.First());
        Assert.Contains("large-second", seed.Loaded);
    }

    [Fact]
    public async Task Requests_for_one_model_share_its_runner()
    {
        await using var seed = new SeedHostFixture();
        using var first = await seed.Small("small-shared", 5 * OneMinute);
        using var second = await seed.Small("small-shared", 5 * OneMinute);

        Assert.Same(first.Runner, second.Runner);
        Assert.Single(seed.Runners.Log, e => e.StartsWith("load", StringComparison.Ordinal));
        Assert.Equal(2, seed.Host.Runners.Single().RefCount);
    }

    [Fact]
    public async Task Loads_are_serialised_a_second_model_starts_loading_only_after_the_first_is_ready()
    {
        await using var seed = new SeedHostFixture(loadAtOnce: false);
        var first = seed.Small("small-loading", 5 * OneMinute);
        var second = seed.Small("small-behind", 5 * OneMinute);
        await SeedHostFixture.Eventually(() => seed.Runners.Log.Contains("load small-loading"), "the first load began");
        await SeedHostFixture.Eventually(() => seed.Host.BlockedOn == "load", "the second request waits for the first load");
        Assert.DoesNotContain("load small-behind", seed.Runners.Log);

        seed.Runners.Finish("small-loading");
        seed.Runners.Finish("small-behind");
        (await first.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
        // Its only GPU was loading when it was looked at: re-queued for 250 ms, then loaded.
        (await seed.Served(second)).Dispose();
        Assert.Equal(1, seed.Host.Requeues);
        Assert.Equal(["load small-loading", "ready small-loading", "load small-behind", "ready small-behind"], seed.Runners.Log);
    }

    [Fact]
    public async Task A_full_queue_answers_server_busy_at_once()
    {
        await using var seed = new SeedHostFixture(maxQueue: 1, loadAtOnce: false);
        var loading = seed.Small("small-q1", 5 * OneMinute);
        await SeedHostFixture.Eventually(() => seed.Runners.Log.Contains("load small-q1"), "the load began");
        // The loop now waits on that load for this one; the next fills the queue.
        var blocked = seed.Small("small-q2", 5 * OneMinute);
        await SeedHostFixture.Eventually(() => seed.Host.BlockedOn == "load", "the loop waits on the first load for the second request");
        var queued = seed.Small("small-q3", 5 * OneMinute);

        var refused = await Assert.ThrowsAsync<ServerBusyException>(() => seed.Small("small-q4", 5 * OneMinute));
        Assert.Equal(ServerBusyException.OllamaMessage, refused.Message);

        seed.Runners.Finish("small-q1");
        seed.Runners.Finish("small-q2");
        seed.Runners.Finish("small-q3");
        foreach (var lease in await Task.WhenAll(seed.Served(loading), seed.Served(blocked), seed.Served(queued)))
            lease.Dispose();
    }

    [Fact]
    public async Task A_request_that_waited_on_another_load_is_requeued_and_a_loaded_model_behind_it_is_served_meanwhile()
    {
        await using var seed = new SeedHostFixture(loadAtOnce: false);
        seed.Runners.Finish("medium-loaded");
        using var busy = await seed.Medium("medium-loaded", 5 * OneMinute);
        var loading = seed.Large("large-loading", 5 * OneMinute);
        await SeedHostFixture.Eventually(() => seed.Runners.Log.Contains("load large-loading"), "the large load began");
        // 5 + 14 + 14 GiB exceed the GPU: this one waits on the load, then fits nowhere.
        var blocked = seed.Large("large-blocked", 5 * OneMinute);
        await SeedHostFixture.Eventually(() => seed.Host.BlockedOn == "load", "the next request waits on the load");
        var behind = seed.Medium("medium-loaded", 5 * OneMinute);

        seed.Runners.Finish("large-loading");
        using var loaded = await loading.WaitAsync(TimeSpan.FromSeconds(30));
        // The seed re-queues the request it blocked for (the GPU was loading when it looked) rather
        // than evicting, so the request behind it, for a model loaded and busy, is served at once.
        using var served = await behind.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, seed.Host.Requeues);
        Assert.False(blocked.IsCompleted);
        Assert.Equal(0, seed.Host.ExpiriesSignalled);
        Assert.DoesNotContain("load large-blocked", seed.Runners.Log);
        Assert.Equal(["large-loading", "medium-loaded"], seed.Loaded);
    }

    [Fact]
    public async Task A_router_sees_a_free_slot_on_a_loaded_model_and_where_a_model_fits()
    {
        await using var seed = new SeedHostFixture();
        var medium = seed.ModelFile("medium-seen", OrleansLlm.Gguf.Models.ShapedModelSpec.Llama3_8B_Q4_K_M);
        var large = seed.ModelFile("large-unseen", OrleansLlm.Gguf.Models.ShapedModelSpec.Llama3_8B_F16);
        var large2 = seed.ModelFile("large-other", OrleansLlm.Gguf.Models.ShapedModelSpec.Llama3_8B_F16);
        Assert.Equal(new Systems.SeedHostView(false, true, true, 0), seed.View(medium));

        var lease = await seed.Medium("medium-seen", 5 * OneMinute);
        // One slot (OLLAMA_NUM_PARALLEL=1), taken: no free slot, one request on the host.
        Assert.Equal(new Systems.SeedHostView(false, true, true, 1), seed.View(medium));
        lease.Dispose();
        Assert.Equal(new Systems.SeedHostView(true, true, true, 0), seed.View(medium));

        (await seed.Large("large-other", 5 * OneMinute)).Dispose();
        // 5 + 14 GiB loaded: another 14 GiB fits only once an idle model is unloaded.
        Assert.Equal(new Systems.SeedHostView(false, false, true, 0), seed.View(large));
        using var held = await seed.Large("large-other", 5 * OneMinute);
        using var held2 = await seed.Medium("medium-seen", 5 * OneMinute);
        Assert.Equal(new Systems.SeedHostView(false, false, false, 2), seed.View(large));
        Assert.False(seed.View(large2).FreeSlot);
    }
}
