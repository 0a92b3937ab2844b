using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Reload;

namespace OrleansLlm.Scheduling.Tests;

public class ReloadRuleTests
{
    private static readonly RunnerIdentity Loaded = RunnerIdentity.Of(RunnerOptions.Default with { NumCtx = 4096, NumGpu = 33 });

    [Fact]
    public void The_same_options_reuse_the_runner() =>
        Assert.Equal(ReloadReason.None, ReloadRule.Evaluate(Loaded, Loaded));

    [Fact]
    public void Changed_runner_options_reload()
    {
        Assert.Equal(ReloadReason.OptionsChanged, ReloadRule.Evaluate(Loaded, Loaded with { Options = Loaded.Options with { NumBatch = 256 } }));
        Assert.Equal(ReloadReason.OptionsChanged, ReloadRule.Evaluate(Loaded, Loaded with { Options = Loaded.Options with { UseMlock = true } }));
        Assert.Equal(ReloadReason.OptionsChanged, ReloadRule.Evaluate(Loaded, Loaded with { Options = Loaded.Options with { NumGpu = 10 } }));
    }

    [Fact]
    public void A_negative_num_gpu_in_the_request_ignores_num_gpu_on_both_sides() =>
        Assert.Equal(ReloadReason.None, ReloadRule.Evaluate(Loaded, Loaded with { Options = Loaded.Options with { NumGpu = -1 } }));

    [Fact]
    public void A_smaller_num_ctx_is_served_by_the_loaded_runner_and_a_larger_one_reloads()
    {
        Assert.Equal(ReloadReason.None, ReloadRule.Evaluate(Loaded, Loaded with { Options = Loaded.Options with { NumCtx = 2048 } }));
        Assert.Equal(ReloadReason.OptionsChanged, ReloadRule.Evaluate(Loaded, Loaded with { Options = Loaded.Options with { NumCtx = 8192 } }));
    }

    [Fact]
    public void Changed_adapters_or_projectors_reload()
    {
        Assert.Equal(ReloadReason.AdaptersChanged, ReloadRule.Evaluate(Loaded, Loaded with { Adapters = ["lora.gguf"] }));
        Assert.Equal(ReloadReason.ProjectorsChanged, ReloadRule.Evaluate(Loaded, Loaded with { Projectors = ["mmproj.gguf"] }));
    }

    [Fact]
    public void A_runner_that_fails_its_health_check_reloads() =>
        Assert.Equal(ReloadReason.Unhealthy, ReloadRule.Evaluate(Loaded, Loaded, healthy: false));

    [Fact]
    public void Sampling_options_are_not_part_of_what_is_compared()
    {
        // Sampling lives apart from RunnerOptions: two requests that differ only there have equal identities.
        var hot = RequestOptionsWith("""{"temperature": 1.5, "num_ctx": 4096, "num_gpu": 33}""");
        var cold = RequestOptionsWith("""{"temperature": 0.0, "top_k": 1, "num_ctx": 4096, "num_gpu": 33}""");
        Assert.False(ReloadRule.NeedsReload(RunnerIdentity.Of(hot), RunnerIdentity.Of(cold)));
    }

    private static RunnerOptions RequestOptionsWith(string json) =>
        RequestOptions.Parse(System.Text.Json.JsonDocument.Parse(json).RootElement).Runner;
}
