using System.Text;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Inference.Tests;

/// <summary>
/// What a runner serves after a request left it early: cancelled by its caller, abandoned by a
/// reader that went away, or shed on a full KV cache. Every later request must get exactly what it
/// would get from a runner that never saw the early leaver (greedy sampling, so the text is fixed).
/// </summary>
public sealed class RunnerAftermathTests : IAsyncLifetime
{
    private ILlmRunner _fresh = null!;
    private ILlmRunner _runner = null!;

    public async Task InitializeAsync()
    {
        _fresh = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny), null, CancellationToken.None);
        _runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny), null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _fresh.DisposeAsync();
        await _runner.DisposeAsync();
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public async Task After_a_request_leaves_at_a_random_decode_step_fresh_requests_get_a_fresh_runners_text(int seed, bool byToken)
    {
        var random = new Random(seed);
        var leaveAfter = random.Next(1, 30);

        var leaver = await LeaveAfter(_runner, Sampled(100 + seed, tokens: 500), leaveAfter, byToken);

        Assert.Equal(leaveAfter, leaver);
        foreach (var request in new[] { Greedy(1, 24), Greedy(2, 24), Greedy(3, 24) })
            Assert.Equal(await Text(_fresh, request), await Text(_runner, request));
    }

    [Fact]
    public async Task After_several_requests_leave_in_the_same_step_fresh_requests_get_a_fresh_runners_text()
    {
        using var cancel = new CancellationTokenSource();
        var started = new CountdownEvent(4);
        var leavers = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var seen = 0;
            try
            {
                await foreach (var item in _runner.GenerateAsync(Sampled(200 + i, tokens: 500), cancel.Token))
                {
                    if (item.Kind == GenerationEventKind.Token && ++seen == 3)
                        started.Signal();
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToArray();
        Assert.True(started.Wait(TimeSpan.FromSeconds(60)), "the four requests did not all start generating");
        await cancel.CancelAsync();
        await Task.WhenAll(leavers);

        var requests = Enumerable.Range(0, 4).Select(i => Greedy(10 + i, 20)).ToArray();
        var expected = new List<string>();
        foreach (var request in requests)
            expected.Add(await Text(_fresh, request));

        Assert.Equal(expected, await Task.WhenAll(requests.Select(r => Text(_runner, r))));
    }

    [Fact]
    public async Task A_seeded_storm_of_cancellations_leaves_the_runner_serving_every_request_as_alone()
    {
        var random = new Random(1234);
        var storm = Enumerable.Range(0, 24).Select(i =>
        {
            var leaveAfter = random.Next(0, 12);           // 0: leaves before its first token
            var byToken = random.Next(2) == 0;
            var delay = random.Next(0, 40);
            return Task.Run(async () =>
            {
                await Task.Delay(delay);
                await LeaveAfter(_runner, Sampled(300 + i, tokens: 400), leaveAfter, byToken);
            });
        }).ToArray();
        await Task.WhenAll(storm);

        var requests = Enumerable.Range(0, 6).Select(i => Greedy(40 + i, 16)).ToArray();
        var expected = new List<string>();
        foreach (var request in requests)
            expected.Add(await Text(_fresh, request));

        Assert.Equal(expected, await Task.WhenAll(requests.Select(r => Text(_runner, r))));
    }

    [Fact]
    public async Task A_full_kv_cache_sheds_one_request_the_others_finish_and_the_next_is_served()
    {
        // 256 KV cells; four prompts of about 60 tokens fill 240 of them, so within a few steps of
        // generating the cache is full: one request is shed and three (3 × (60 + 16) < 256) finish.
        await using var small = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny, numCtx: 64, parallel: 4), null, CancellationToken.None);
        Assert.Equal(256, ((Llama.LlamaRunner)small).ContextSize);
        ((Llama.LlamaRunner)small).StartTogether(4); // all four share the cache from the first step, however the machine schedules them
        var prompt = string.Join(' ', Enumerable.Repeat("the model", 6));
        var requests = Enumerable.Range(0, 4).Select(i => Sampled(500 + i, tokens: 16) with { Prompt = $"{i} {prompt}" }).ToArray();

        var outcomes = await Task.WhenAll(requests.Select(async r =>
        {
            try
            {
                return (Done: (GenerationStats?)await Done(small, r), Error: (Exception?)null);
            }
            catch (InvalidOperationException e)
            {
                return (Done: (GenerationStats?)null, Error: e);
            }
        }));

        var shed = Assert.Single(outcomes, o => o.Error is not null);
        Assert.Equal("the model's context is full: retry, or raise num_ctx", shed.Error!.Message);
        Assert.All(outcomes.Where(o => o.Error is null), o => Assert.InRange(o.Done!.PromptEvalCount, 56, 64));
        Assert.All(outcomes.Where(o => o.Error is null), o => Assert.True(o.Done!.EvalCount > 0));
        var next = Greedy(7, 20);
        Assert.Equal(await Text(_fresh, next), await Text(small, next));
    }

    private static async Task<GenerationStats> Done(ILlmRunner runner, GenerateRequest request)
    {
        GenerationStats? stats = null;
        await foreach (var item in runner.GenerateAsync(request, CancellationToken.None))
        {
            if (item.Kind == GenerationEventKind.Done)
                stats = item.Stats;
        }
        return stats ?? throw new InvalidOperationException("the stream ended without its done event");
    }

    [Fact]
    public async Task An_unexpected_decode_failure_fails_its_batch_with_the_reason_and_marks_the_runner_unhealthy()
    {
        await using var runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny), null, CancellationToken.None);
        Assert.True(await runner.PingAsync(CancellationToken.None));

        ((Llama.LlamaRunner)runner).FailNextDecode(LLama.Native.DecodeResult.DecodeFailed);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Text(runner, Greedy(8, 10)));

        Assert.Contains("DecodeFailed", error.Message);
        Assert.DoesNotContain("context is full", error.Message);
        Assert.False(await runner.PingAsync(CancellationToken.None)); // the grain's health check now reloads it
    }

    /// <summary>Reads <paramref name="request"/> until <paramref name="tokens"/> tokens came, then leaves: by cancelling its token, or by dropping the stream.</summary>
    internal static async Task<int> LeaveAfter(ILlmRunner runner, GenerateRequest request, int tokens, bool byToken)
    {
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        if (tokens == 0)
            await cancel.CancelAsync();
        try
        {
            await foreach (var item in runner.GenerateAsync(request, cancel.Token))
            {
                if (item.Kind != GenerationEventKind.Token || cancel.IsCancellationRequested || ++seen < tokens)
                    continue;                            // after a cancel, tokens already sent may still arrive
                if (!byToken)
                    break;                               // the reader goes away: the enumerator is disposed
                await cancel.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
        return seen;
    }

    internal static GenerateRequest Greedy(int seed, int tokens) => new()
    {
        Prompt = $"request {seed}: hello world, the model",
        Raw = true,
        Sampling = GreedyOptions(seed, tokens),
    };

    /// <summary>Seeded sampling at temperature 1: long answers (the random model rarely samples its end token).</summary>
    internal static GenerateRequest Sampled(int seed, int tokens) => Greedy(seed, tokens) with
    {
        Sampling = SamplingOptions.Default with { Seed = seed, NumPredict = tokens, Temperature = 1, Stop = [] },
    };

    /// <summary>Greedy: the same text for the same prompt, whatever else shares the batch.</summary>
    private static SamplingOptions GreedyOptions(int seed, int tokens) =>
        SamplingOptions.Default with { Seed = seed, NumPredict = tokens, Temperature = 0, Stop = [] };

    internal static async Task<string> Text(ILlmRunner runner, GenerateRequest request)
    {
        var text = new StringBuilder();
        var done = false;
        await foreach (var item in runner.GenerateAsync(request, CancellationToken.None))
        {
            if (item.Kind == GenerationEventKind.Token)
                text.Append(item.Text);
            done |= item.Kind == GenerationEventKind.Done;
        }
        Assert.True(done, "the stream ended without its done event");
        return text.ToString();
    }
}

/// <summary>The real runner under concurrency it must absorb: more requests than slots, embeddings beside generations.</summary>
public sealed class RunnerConcurrencyTests
{
    [Fact]
    public async Task With_one_slot_two_concurrent_requests_both_finish_with_their_own_text()
    {
        await using var runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny, parallel: 1), null, CancellationToken.None);
        var requests = new[] { RunnerAftermathTests.Greedy(61, 20), RunnerAftermathTests.Greedy(62, 20) };
        var alone = new[] { await RunnerAftermathTests.Text(runner, requests[0]), await RunnerAftermathTests.Text(runner, requests[1]) };

        var together = await Task.WhenAll(requests.Select(r => RunnerAftermathTests.Text(runner, r)));

        Assert.Equal(alone, together);
    }

    [Fact]
    public async Task Sixteen_concurrent_embeddings_beside_generations_all_succeed_on_at_most_num_parallel_contexts()
    {
        await using var runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny), null, CancellationToken.None);
        var inputs = Enumerable.Range(0, 16).Select(i => $"input number {i}").ToArray();
        var alone = new List<float[]>();
        foreach (var input in inputs)
            alone.Add((await runner.EmbedAsync([input], truncate: true, CancellationToken.None))[0]);
        var generation = RunnerAftermathTests.Greedy(70, 24);
        var generated = await RunnerAftermathTests.Text(runner, generation);

        var embeds = inputs.Select(i => Task.Run(() => runner.EmbedAsync([i], truncate: true, CancellationToken.None))).ToArray();
        var generations = Enumerable.Range(0, 4).Select(_ => Task.Run(() => RunnerAftermathTests.Text(runner, generation))).ToArray();
        var vectors = await Task.WhenAll(embeds);

        for (var i = 0; i < inputs.Length; i++)
            Assert.Equal(alone[i], vectors[i][0], (a, b) => MathF.Abs(a - b) < 1e-5f);
        Assert.All(await Task.WhenAll(generations), text => Assert.Equal(generated, text));
        Assert.InRange(((Llama.LlamaRunner)runner).Embeddings.ContextsCreated, 1, 4); // at most num_parallel caches, never one per call
    }

    [Fact]
    public async Task An_embedding_too_long_without_truncate_fails_alone_and_the_next_is_served()
    {
        await using var runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(DemoModels.Tiny, numCtx: 64, parallel: 1), null, CancellationToken.None);
        var long_ = string.Join(' ', Enumerable.Repeat("the model", 200));

        var error = await Assert.ThrowsAsync<InputTooLongException>(() => runner.EmbedAsync([long_], truncate: false, CancellationToken.None));

        Assert.Contains("set truncate to true", error.Message);
        var cut = await runner.EmbedAsync([long_], truncate: true, CancellationToken.None);
        Assert.InRange(MathF.Sqrt(cut[0].Sum(x => x * x)), 0.999f, 1.001f);
    }
}
