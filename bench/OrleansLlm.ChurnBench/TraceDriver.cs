using OrleansLlm.Abstractions.Models;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Runners;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.ChurnBench;

/// <summary>
/// Sends every request of the trace at its arrival time (on the run's clock) and records what
/// its client saw. A late dispatch counts against the system: times are measured from the
/// scheduled arrival, not from when the request was actually sent.
/// </summary>
internal static class TraceDriver
{
    /// <summary>How long (simulated) requests still running at the end of the trace may take to finish.</summary>
    private const double DrainSeconds = 600;

    public static async Task<IReadOnlyList<RequestRecord>> RunAsync(ISystemUnderTest system, IReadOnlyList<TraceRequest> trace,
        IReadOnlyList<BenchModel> models, Scenario scenario, Recorder recorder, IProgress<string>? progress = null)
    {
        var byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var clock = recorder.Clock;
        using var stop = new CancellationTokenSource();
        clock.Restart();
        var sampler = recorder.SampleMemoryAsync(10, stop.Token);
        var running = new List<Task<RequestRecord>>(trace.Count);
        var nextReport = 60.0;
        foreach (var request in trace)
        {
            var wait = request.Arrival - clock.Now;
            if (wait > 0)
                await clock.Delay(wait, CancellationToken.None);
            running.Add(Task.Run(() => SendAsync(system, request, byName[request.Model], scenario, recorder, stop.Token)));
            if (request.Arrival >= nextReport)
            {
                progress?.Report($"{system.Name}: {request.Arrival / 60:0} of {trace[^1].Arrival / 60:0} simulated minutes, {running.Count(t => !t.IsCompleted)} in flight");
                // Past a quiet stretch (a swing's night) at once, not one report per request.
                while (nextReport <= request.Arrival)
                    nextReport += 60 * 5;
            }
        }

        var all = Task.WhenAll(running);
        await Task.WhenAny(all, Task.Delay(clock.ToReal(DrainSeconds), clock.Time));
        // A trace that ends quiet (a swing's night) runs to its end: what a system does with no
        // requests, stopping hosts, is part of the run.
        await clock.Delay(scenario.Duration.TotalSeconds - clock.Now, CancellationToken.None);
        await stop.CancelAsync();
        var records = await all;
        await sampler;
        return records;
    }

    private static async Task<RequestRecord> SendAsync(ISystemUnderTest system, TraceRequest trace, BenchModel model, Scenario scenario,
        Recorder recorder, CancellationToken cancellationToken)
    {
        var clock = recorder.Clock;
        var request = new GenerateRequest
        {
            Prompt = BenchPrompt.Format(trace.Id, trace.PromptTokens),
            Raw = true,
            Runner = new RunnerOptions { NumCtx = scenario.NumCtx },
            Sampling = SamplingOptions.Default with { NumPredict = trace.OutputTokens },
            KeepAlive = KeepAliveDuration.From(clock.ToReal(model.KeepAlive)),
        };
        double? first = null;
        try
        {
            await foreach (var item in system.GenerateAsync(model, request, cancellationToken))
            {
                if (item.Kind == GenerationEventKind.Token && first is null)
                    first = clock.Now;
            }
            var now = clock.Now;
            return new RequestRecord(trace.Id, trace.Model, trace.Arrival, first, now, null) { Runner = recorder.StartOf(trace.Id), Ended = now };
        }
        catch (Exception e)
        {
            var error = e is OperationCanceledException && cancellationToken.IsCancellationRequested ? "unfinished when the run ended" : e.Message;
            return new RequestRecord(trace.Id, trace.Model, trace.Arrival, first, null, error) { Runner = recorder.StartOf(trace.Id), Ended = clock.Now };
        }
    }
}
