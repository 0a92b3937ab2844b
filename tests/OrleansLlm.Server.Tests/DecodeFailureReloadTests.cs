using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using LLama.Native;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Inference.Llama;

namespace OrleansLlm.Server.Tests;

/// <summary>Real LLamaSharp runners whose next decode a test can make fail as a broken llama.cpp state would.</summary>
public sealed class FaultyRunnerServerFixture : ServerFixture
{
    public ConcurrentQueue<LlamaRunner> Loaded { get; } = new();

    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?> { ["Ollm:Runner"] = "faulty" };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddKeyedSingleton<ILlmRunnerFactory>("faulty", (_, _) => new RecordingFactory(this));

    private sealed class RecordingFactory(FaultyRunnerServerFixture fixture) : ILlmRunnerFactory
    {
        private readonly LlamaRunnerFactory _inner = new(NullLogger<LlamaRunnerFactory>.Instance);

        public string Kind => "faulty";

        public async Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, IProgress<float>? progress, CancellationToken cancellationToken)
        {
            var runner = (LlamaRunner)await _inner.LoadAsync(request, progress, cancellationToken);
            fixture.Loaded.Enqueue(runner);
            return runner;
        }
    }
}

public sealed class DecodeFailureReloadTests(FaultyRunnerServerFixture server) : IClassFixture<FaultyRunnerServerFixture>
{
    private const string Request = """{"model":"demo","prompt":"hello there","stream":false,"options":{"num_predict":12,"seed":5,"temperature":0}}""";

    [Fact]
    public async Task After_an_unexpected_decode_failure_the_model_is_reloaded_and_the_next_request_is_served()
    {
        var (status, before) = await Generate();
        Assert.Equal(HttpStatusCode.OK, status);
        var first = Assert.Single(server.Loaded);

        first.FailNextDecode(DecodeResult.DecodeFailed);
        var (failed, error) = await Generate();

        Assert.Equal(HttpStatusCode.InternalServerError, failed);
        Assert.Contains("DecodeFailed", error.GetProperty("error").GetString());
        var (after, again) = await Generate();
        Assert.Equal(HttpStatusCode.OK, after);
        Assert.Equal(before.GetProperty("response").GetString(), again.GetProperty("response").GetString());
        Assert.Equal(2, server.Loaded.Count);                                  // a fresh runner served it
        Assert.False(await first.PingAsync(CancellationToken.None));

        // One reservation for the one model loaded, and /api/ps agrees.
        var silo = server.Services.GetRequiredService<IGrainFactory>().GetGrain<IGpuSiloGrain>(
            server.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.ToParsableString());
        var runners = (await silo.GetSnapshot()).Host.Runners;
        Assert.Equal(Path.Combine(server.ModelsRoot, "demo", "latest.gguf"), Assert.Single(runners).ModelPath);
        var ps = JsonDocument.Parse(await server.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models");
        Assert.Equal("demo:latest", Assert.Single(ps.EnumerateArray()).GetProperty("name").GetString());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Generate()
    {
        using var response = await server.Http.PostAsync("/api/generate", new StringContent(Request, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }
}
