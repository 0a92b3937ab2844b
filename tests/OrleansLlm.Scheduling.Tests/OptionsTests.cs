using System.Text.Json;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Tests;

public class OptionsTests
{
    [Fact]
    public void Runner_and_sampling_options_are_split()
    {
        var parsed = RequestOptions.Parse(Json("""{"num_ctx": 8192, "num_gpu": 10, "use_mmap": false, "num_thread": 4, "temperature": 0.1, "top_k": 5, "stop": ["a", "b"], "seed": 42}"""));

        Assert.Equal(8192, parsed.Runner.NumCtx);
        Assert.Equal(10, parsed.Runner.NumGpu);
        Assert.False(parsed.Runner.UseMmap);
        Assert.Equal(4, parsed.Runner.NumThread);
        Assert.Equal(0.1f, parsed.Sampling.Temperature);
        Assert.Equal(5, parsed.Sampling.TopK);
        Assert.Equal(["a", "b"], parsed.Sampling.Stop);
        Assert.Equal(42, parsed.Sampling.Seed);
    }

    [Fact]
    public void Defaults_are_ollamas()
    {
        var parsed = RequestOptions.Parse(null);

        Assert.Equal(2048, parsed.Runner.NumCtx);
        Assert.Equal(512, parsed.Runner.NumBatch);
        Assert.Equal(-1, parsed.Runner.NumGpu);
        Assert.Equal(0.8f, parsed.Sampling.Temperature);
        Assert.Equal(-1, parsed.Sampling.NumPredict);
    }

    [Theory]
    [InlineData("""{"num_ctx": "big"}""", "option \"num_ctx\" must be of type integer, not a string")]
    [InlineData("""{"temperature": "hot"}""", "option \"temperature\" must be of type number")]
    [InlineData("""{"use_mmap": 1}""", "option \"use_mmap\" must be of type boolean")]
    [InlineData("""{"stop": [1]}""", "option \"stop\" must be a string or an array of strings")]
    [InlineData("""{"num_ctx": -5}""", "option \"num_ctx\" is -5, outside")]
    [InlineData("""{"num_ctx": 1e12}""", "option \"num_ctx\" is 1e12, outside")]
    [InlineData("""{"top_p": 2}""", "option \"top_p\" is 2, outside 0..1")]
    [InlineData("""{"num_batch": 0}""", "option \"num_batch\" is 0")]
    [InlineData("""[1, 2]""", "options must be a JSON object")]
    public void Impossible_options_are_clear_errors(string json, string message)
    {
        var error = Assert.Throws<InvalidOptionsException>(() => RequestOptions.Parse(Json(json)));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Unknown_options_are_ignored_and_listed_as_ollama_does()
    {
        var parsed = RequestOptions.Parse(Json("""{"mirostat_eta": 0.1, "num_ctx": 1024}"""));

        Assert.Equal(["mirostat_eta"], parsed.IgnoredKeys);
        Assert.Equal(1024, parsed.Runner.NumCtx);
    }

    [Fact]
    public void A_single_stop_string_is_one_stop()
    {
        Assert.Equal(["\n"], RequestOptions.Parse(Json("""{"stop": "\n"}""")).Sampling.Stop);
    }

    [Theory]
    [InlineData(0, 1, 4)]
    [InlineData(3, 1, 4)]
    [InlineData(2048, 1, 2048)]
    [InlineData(2048, 4, 8192)]
    [InlineData(1, 4, 16)]
    public void Admission_raises_num_ctx_to_4_and_multiplies_by_num_parallel(int numCtx, int parallel, int expected)
    {
        var admitted = RunnerAdmission.Normalize(RunnerOptions.Default with { NumCtx = numCtx }, parallel);
        Assert.Equal(expected, admitted.NumCtx);
    }

    [Fact]
    public void A_quantised_kv_cache_needs_flash_attention()
    {
        Assert.Equal(KvCacheType.F16, (RunnerOptions.Default with { KvCacheType = KvCacheType.Q8_0 }).EffectiveKvCacheType);
        Assert.Equal(KvCacheType.Q8_0, (RunnerOptions.Default with { KvCacheType = KvCacheType.Q8_0, FlashAttention = true }).EffectiveKvCacheType);
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;
}
