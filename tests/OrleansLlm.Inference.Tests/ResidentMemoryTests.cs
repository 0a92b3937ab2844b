using System.Runtime.InteropServices;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Inference.Tests;

/// <summary>
/// Tests that read this process's resident memory run alone: xUnit runs the other test classes in
/// parallel, and a model another test loads meanwhile would be counted as a leak (it was, once,
/// under load: "47 MiB more resident after three failed contexts").
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResidentMemoryCollection
{
    public const string Name = "resident memory";
}

[Collection(ResidentMemoryCollection.Name)]
public sealed class ResidentMemoryTests
{
    [Fact]
    public async Task Memory_returns_after_unload()
    {
        var path = DemoModels.Write("small-f16", OrleansLlm.Gguf.Models.DemoModelOptions.Small with { WeightType = GgmlType.F16 });
        var before = SettledResidentBytes();
        var runner = await DemoModels.Factory.LoadAsync(DemoModels.Request(path, numCtx: 512, parallel: 1), null, CancellationToken.None);
        await foreach (var _ in runner.GenerateAsync(new GenerateRequest { Prompt = "hello", Raw = true, Sampling = SamplingOptions.Default with { NumPredict = 8 } }, CancellationToken.None))
        {
        }
        var loaded = ResidentBytes();
        await runner.DisposeAsync();
        var after = SettledResidentBytes();

        // 46 MiB of weights plus context came and went; glibc keeps some arenas (bound: 24 MiB).
        Assert.True(loaded - before > 40L << 20, $"loading grew RSS by only {(loaded - before) >> 20} MiB");
        Assert.True(after - before < 24L << 20, $"{(after - before) >> 20} MiB still resident after unload");
    }

    /// <summary>
    /// Resident memory once the garbage collector has run and the C allocator has handed its free
    /// memory back to the system: what is left is memory still in use. Without the trim, glibc may
    /// keep a freed weight buffer in one of its arenas for reuse; that was once counted as a leak
    /// here (40 MiB after three failed contexts, in CI's run; a leak of three would be 138 MiB).
    /// </summary>
    private static long SettledResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        MallocTrim(0);
        return ResidentBytes();
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    [Fact]
    public async Task A_context_that_cannot_be_created_frees_the_weights_and_the_next_load_serves()
    {
        // On a GPU this is a KV cache that does not fit in VRAM; here the factory's context step fails as llama.cpp's does.
        var failing = new OrleansLlm.Inference.Llama.LlamaRunnerFactory(Microsoft.Extensions.Logging.Abstractions.NullLogger<OrleansLlm.Inference.Llama.LlamaRunnerFactory>.Instance)
        {
            CreateContext = (_, _) => throw new LLama.Exceptions.RuntimeError("Failed to create context from model"),
        };
        var path = DemoModels.Write("no-context", OrleansLlm.Gguf.Models.DemoModelOptions.Small with { WeightType = GgmlType.F16 });
        var request = DemoModels.Request(path, parallel: 1) with { Options = RunnerOptions.Default with { NumCtx = 512, NumThread = 2, UseMmap = false } };
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => failing.LoadAsync(request, null, CancellationToken.None));
        Assert.Contains("could not create a context", error.Message);
        var before = SettledResidentBytes();

        for (var i = 0; i < 3; i++)
            await Assert.ThrowsAsync<ModelLoadException>(() => failing.LoadAsync(request, null, CancellationToken.None));

        // 46 MiB of weights read into memory (no mmap) each time: three leaks would be 138 MiB.
        var grown = SettledResidentBytes() - before;
        Assert.True(grown < 40L << 20, $"{grown >> 20} MiB more resident after three failed contexts");
        await using var runner = await DemoModels.Factory.LoadAsync(request, null, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(await RunnerAftermathTests.Text(runner, RunnerAftermathTests.Greedy(3, 8))));
    }
}
