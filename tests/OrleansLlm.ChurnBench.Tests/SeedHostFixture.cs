using Microsoft.Extensions.Time.Testing;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>One single-host scheduler on a 24 GiB GPU, a fake clock, scripted runners, and shaped model files.</summary>
internal sealed class SeedHostFixture : IAsyncDisposable
{
    private static readonly string Directory = CreateDirectory();
    private readonly Dictionary<string, GgufFile> _models = new(StringComparer.Ordinal);

    public SeedHostFixture(int maxLoadedModels = 0, int maxQueue = 512, bool loadAtOnce = true)
    {
        Runners = new ScriptedRunnerFactory(loadAtOnce);
        Host = new SeedHost("host-0", ConfiguredGpuInventory.ParseGpus("cuda:24GiB"), GpuInfo.Cpu(64L << 30, 64L << 30),
            SchedulerSettings.Default with { MaxLoadedModels = maxLoadedModels }, numParallel: 1, maxQueue, Runners, Clock);
        Host.Unloaded += (path, evicted) => Unloads.Enqueue((Path.GetFileNameWithoutExtension(path), evicted));
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));

    public ScriptedRunnerFactory Runners { get; }

    public SeedHost Host { get; }

    public System.Collections.Concurrent.ConcurrentQueue<(string Model, bool Evicted)> Unloads { get; } = new();

    /// <summary>About 1.5 GiB at the default context: many fit the GPU, so only the cap limits them.</summary>
    public Task<SeedLease> Small(string name, TimeSpan keepAlive) => Acquire(name, ShapedModelSpec.Llama3_2_1B_Q8_0, keepAlive);

    /// <summary>About 14 GiB: one 24 GiB GPU holds one of these beside a 5 GiB model, not two.</summary>
    public Task<SeedLease> Large(string name, TimeSpan keepAlive) => Acquire(name, ShapedModelSpec.Llama3_8B_F16, keepAlive);

    /// <summary>About 5 GiB.</summary>
    public Task<SeedLease> Medium(string name, TimeSpan keepAlive) => Acquire(name, ShapedModelSpec.Llama3_8B_Q4_K_M, keepAlive);

    public IReadOnlyList<string> Loaded => [.. Host.Runners.Select(r => Path.GetFileNameWithoutExtension(r.ModelPath)).Order(StringComparer.Ordinal)];

    private Task<SeedLease> Acquire(string name, ShapedModelSpec spec, TimeSpan keepAlive)
    {
        var (path, file) = ModelFile(name, spec);
        return Host.AcquireAsync(path, file, RunnerOptions.Default, KeepAliveDuration.From(keepAlive), CancellationToken.None);
    }

    /// <summary>The model file a request names (written once per test process).</summary>
    public (string Path, GgufFile File) ModelFile(string name, ShapedModelSpec spec)
    {
        var path = Path.Combine(Directory, name + ".gguf");
        GgufFile file;
        lock (_models)
        {
            if (!_models.TryGetValue(path, out file!))
            {
                lock (Directory)
                {
                    if (!File.Exists(path))
                        ShapedModel.Write(path, spec with { Name = name, VocabSize = 2000, MergeCount = 0 });
                }
                _models[path] = file = GgufReader.ReadFile(path);
            }
        }
        return (path, file);
    }

    /// <summary>What a router sees of the host for a model.</summary>
    public SeedHostView View((string Path, GgufFile File) model) => Host.View(model.Path, model.File, RunnerOptions.Default);

    /// <summary>Waits (up to 30 s of real time: generous for a loaded machine) for the scheduler's loops to reach a state.</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("timed out waiting until " + what);
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Waits for a request that may be re-queued (the seed's 250 ms on the fake clock): advances the
    /// clock a re-queue delay each time the host has put back another request, and again while a
    /// re-queued request stays unserved for 100 ms of real time — the host counts a re-queue before
    /// it starts the delay on the clock, so an advance can come before the delay it is for (seen on
    /// a loaded machine). At most 300 more advances (75 s on the clock) in the 30 s this waits.
    /// </summary>
    public async Task<SeedLease> Served(Task<SeedLease> request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var advanced = 0;
        var lastAdvance = DateTime.UtcNow;
        while (!request.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("timed out waiting for a request to be served");
            if (Host.Requeues > advanced || (advanced > 0 && DateTime.UtcNow - lastAdvance > TimeSpan.FromMilliseconds(100)))
            {
                advanced = Host.Requeues;
                lastAdvance = DateTime.UtcNow;
                Clock.Advance(TimeSpan.FromMilliseconds(250));
            }
            await Task.WhenAny(request, Task.Delay(5));
        }
        return await request;
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    private static string CreateDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "ollm-churn-tests-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
