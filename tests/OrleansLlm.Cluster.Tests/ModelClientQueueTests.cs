using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// The front-end's queue bound (<c>OLLAMA_MAX_QUEUE</c>) across a relocation, with each model's
/// stream scripted so the interleaving is exact rather than left to timing.
/// </summary>
public sealed class ModelClientQueueTests
{
    [Fact]
    public async Task A_waiting_request_placed_again_keeps_its_place_and_a_newer_one_is_refused_instead()
    {
        var grains = new ScriptedGrains();
        var client = new ModelClient(GrainFactoryOver(grains), maxQueue: 1);

        // The older request waits for its model's load, then the model's activation moves away.
        var older = Collect(client.GenerateAsync("a", new GenerateRequest { Prompt = "hi" }));
        var first = await grains.NextCall("a");
        await first.Send(GenerationEvent.Queued("loading"));
        await WaitFor(() => client.Pending == 1);
        first.Fail(new ModelRelocatingException("moving"));
        var second = await grains.NextCall("a"); // placed again, after the backoff

        // A newer request arrives while the older one is being placed again: the bound is full.
        var newer = client.GenerateAsync("b", new GenerateRequest { Prompt = "hi" });
        var newerCall = Collect(newer);
        var b = await grains.NextCall("b");
        await b.Send(GenerationEvent.Queued("loading"));
        await Assert.ThrowsAsync<ServerBusyException>(() => newerCall.WaitAsync(TimeSpan.FromSeconds(30)));

        await second.Send(GenerationEvent.Queued("loading"));
        await second.Send(new GenerationEvent(GenerationEventKind.Started));
        await second.Send(GenerationEvent.Done("stop", new GenerationStats()));
        second.End();
        Assert.Equal(["Queued", "Queued", "Started", "Done"], (await older).Select(e => e.Kind.ToString()));
        Assert.Equal(0, client.Pending);

        // Aftermath: the bound is free again, and the next waiting request is served.
        var next = Collect(client.GenerateAsync("b", new GenerateRequest { Prompt = "hi" }));
        var again = await grains.NextCall("b");
        await again.Send(GenerationEvent.Queued("loading"));
        await again.Send(new GenerationEvent(GenerationEventKind.Started));
        await again.Send(GenerationEvent.Done("stop", new GenerationStats()));
        again.End();
        Assert.Equal(3, (await next).Count);
        Assert.Equal(0, client.Pending);
    }

    private static async Task<List<GenerationEvent>> Collect(IAsyncEnumerable<GenerationEvent> stream)
    {
        var events = new List<GenerationEvent>();
        await foreach (var item in stream)
            events.Add(item);
        return events;
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
            await Task.Delay(10, timeout.Token);
    }

    private static IGrainFactory GrainFactoryOver(ScriptedGrains grains)
    {
        var factory = DispatchProxy.Create<IGrainFactory, GrainFactoryProxy>();
        ((GrainFactoryProxy)(object)factory).Grains = grains;
        return factory;
    }

    /// <summary>Answers only <c>GetGrain&lt;IModelGrain&gt;(key)</c>, the one call <see cref="ModelClient"/> makes.</summary>
    public class GrainFactoryProxy : DispatchProxy
    {
        internal ScriptedGrains Grains { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod is { Name: nameof(IGrainFactory.GetGrain) } && targetMethod.ReturnType == typeof(IModelGrain)
                ? new ScriptedModelGrain((string)args![0]!, Grains)
                : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>Every call to a model's stream, handed to the test to script.</summary>
    internal sealed class ScriptedGrains
    {
        private readonly Channel<(string Model, ScriptedCall Call)> _calls = Channel.CreateUnbounded<(string, ScriptedCall)>();

        public ScriptedCall Open(string model)
        {
            var call = new ScriptedCall();
            _calls.Writer.TryWrite((model, call));
            return call;
        }

        public async Task<ScriptedCall> NextCall(string model)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var (calledModel, call) = await _calls.Reader.ReadAsync(timeout.Token);
            Assert.Equal(model, calledModel);
            return call;
        }
    }

    internal sealed class ScriptedCall
    {
        private readonly Channel<GenerationEvent> _events = Channel.CreateUnbounded<GenerationEvent>();

        public ValueTask Send(GenerationEvent item) => _events.Writer.WriteAsync(item);

        public void Fail(Exception error) => _events.Writer.Complete(error);

        public void End() => _events.Writer.Complete();

        public async IAsyncEnumerable<GenerationEvent> Read([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var item in _events.Reader.ReadAllAsync(cancellationToken))
                yield return item;
        }
    }

    private sealed class ScriptedModelGrain(string model, ScriptedGrains grains) : IModelGrain
    {
        public IAsyncEnumerable<GenerationEvent> Generate(GenerateRequest request, CancellationToken cancellationToken = default) =>
            grains.Open(model).Read(cancellationToken);

        public IAsyncEnumerable<GenerationEvent> Embed(EmbedRequest request, CancellationToken cancellationToken = default) =>
            grains.Open(model).Read(cancellationToken);

        public Task<bool> Unload() => throw new NotSupportedException();

        public Task<bool> EvictIfIdle() => throw new NotSupportedException();

        public Task<bool> YieldRoom(string forModelPath) => throw new NotSupportedException();

        public Task<bool> Drain() => throw new NotSupportedException();

        public Task<string> StartReplica(Scheduling.KeepAlive.KeepAliveDuration keepAlive) => throw new NotSupportedException();

        public Task ReplicaChanged(ReplicaReport report) => throw new NotSupportedException();

        public Task<ModelStatus> GetStatus() => throw new NotSupportedException();
    }
}
