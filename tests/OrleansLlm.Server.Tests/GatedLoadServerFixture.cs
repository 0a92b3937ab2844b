using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Gguf.Writing;
using OrleansLlm.Inference.Llama;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// The real server with real LLamaSharp runners, a queue bound of one (<c>OLLAMA_MAX_QUEUE=1</c>),
/// loads of <c>gated-*</c> models held until the test opens the gate, and a model file llama.cpp
/// refuses (<c>refused</c>: a llama model without <c>layer_norm_rms_epsilon</c>).
/// </summary>
public sealed class GatedLoadServerFixture : ServerFixture
{
    private volatile TaskCompletionSource _gate = Opened();
    private volatile TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Ollm:Runner"] = "gated",
        ["Ollm:MaxQueue"] = "1",
    };

    /// <summary>Holds every load of a <c>gated-*</c> model from now until <see cref="OpenGate"/>.</summary>
    public void CloseGate()
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Completes when a load reaches the gate closed last: its model is placed and loading.</summary>
    public Task GateReached => _reached.Task;

    public void OpenGate() => _gate.TrySetResult();

    /// <summary>A model no request has loaded yet, named <c>gated-…</c>: a copy of the demo model.</summary>
    public string NewGatedModel()
    {
        var name = "gated-" + Guid.NewGuid().ToString("N")[..8];
        File.Copy(Path.Combine(ModelsRoot, "demo", "latest.gguf"), Path.Combine(ModelsRoot, name + ".gguf"));
        return name;
    }

    public override async Task InitializeAsync()
    {
        // As the server does at start for the llama runner: llama.cpp's own reasons for a refused
        // load are captured only when this runs before anything else touches llama.cpp.
        LlamaNative.EnsureLoaded(NullLogger.Instance);
        await base.InitializeAsync();
        WriteRefusedModel(Path.Combine(ModelsRoot, "demo", "latest.gguf"), Path.Combine(ModelsRoot, "refused.gguf"));
    }

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddKeyedSingleton<ILlmRunnerFactory>("gated", (_, _) => new GatedFactory(this));

    /// <summary>The demo model less a key llama.cpp requires: our reader and estimate accept it, llama.cpp's loader does not.</summary>
    private static void WriteRefusedModel(string demoPath, string path)
    {
        var demo = GgufReader.ReadFile(demoPath, GgufReaderOptions.LoadAllArrays);
        var bytes = File.ReadAllBytes(demoPath);
        var writer = new GgufWriter();
        foreach (var (key, value) in demo.Metadata.Where(e => e.Key != "llama.attention.layer_norm_rms_epsilon"))
            writer.Add(key, value);
        foreach (var t in demo.Tensors)
            writer.AddTensor(t.Name, t.Type, [.. t.Dimensions], s => s.Write(bytes, (int)(demo.DataOffset + t.Offset), (int)t.ByteSize));
        writer.WriteFile(path);
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }

    private sealed class GatedFactory(GatedLoadServerFixture fixture) : ILlmRunnerFactory
    {
        private readonly LlamaRunnerFactory _inner = new(NullLogger<LlamaRunnerFactory>.Instance);

        public string Kind => "gated";

        public async Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, IProgress<float>? progress, CancellationToken cancellationToken)
        {
            if (Path.GetFileName(request.ModelPath).StartsWith("gated-", StringComparison.Ordinal))
            {
                var gate = fixture._gate;
                fixture._reached.TrySetResult();
                await gate.Task.WaitAsync(cancellationToken);
            }
            return await _inner.LoadAsync(request, progress, cancellationToken);
        }
    }
}
