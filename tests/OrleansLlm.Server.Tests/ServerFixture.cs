using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Server.Hosting;

namespace OrleansLlm.Server.Tests;

/// <summary>The real server, embedded role, on free loopback ports, serving the tiny demo model.</summary>
public class ServerFixture : IAsyncLifetime
{
    private readonly string _models = Path.Combine(Path.GetTempPath(), "ollm-server-tests-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public HttpClient Http { get; private set; } = null!;

    public string ModelsRoot => _models;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Settings a derived fixture adds (an API key, say).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Services a derived fixture adds (a runner factory that injects faults, say).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>
    /// Changes a derived fixture makes to the services once the server has added all of its own
    /// (Orleans' included), just before they are built: to wrap one of them, say.
    /// </summary>
    protected virtual void ReplaceServices(IServiceCollection services)
    {
    }

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_models, "demo"));
        // A context of 1024 leaves room for a tool-calling prompt (its tool list alone is about 200 tokens).
        DemoModel.Write(Path.Combine(_models, "demo", "latest.gguf"), DemoModelOptions.Tiny with { ContextLength = 1024 });
        // A vocabulary over Ollama's 1024-element array limit, for /api/show.
        DemoModel.Write(Path.Combine(_models, "wide.gguf"), DemoModelOptions.Tiny with { VocabSize = 1500 });
        // ChatML without tools, for the "does not support tools" answer.
        DemoModel.Write(Path.Combine(_models, "plainchat.gguf"), DemoModelOptions.Tiny with { ChatTemplate = ChatTemplates.ChatMl });
        // A slower model (about 400 tokens/s here) for tests that need a stream still running.
        DemoModel.Write(Path.Combine(_models, "slow.gguf"), DemoModelOptions.Small with { WeightType = Gguf.GgmlType.F16 });
        var settings = new Dictionary<string, string?>
        {
            ["OLLAMA_HOST"] = "127.0.0.1:0",
            ["Ollm:Models"] = _models,
            ["Ollm:Runner"] = "llama",
            ["Ollm:SiloPort"] = TestPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ollm:GatewayPort"] = TestPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in ExtraSettings)
            settings[key] = value;
        _app = OrleansLlmServer.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            ConfigureServices(builder.Services);
            builder.Host.UseServiceProviderFactory(new LastWord(ReplaceServices));
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_models, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The default service provider, after <see cref="ReplaceServices"/> has had the last word.</summary>
    private sealed class LastWord(Action<IServiceCollection> replace) : IServiceProviderFactory<IServiceCollection>
    {
        public IServiceCollection CreateBuilder(IServiceCollection services)
        {
            replace(services);
            return services;
        }

        public IServiceProvider CreateServiceProvider(IServiceCollection services) => services.BuildServiceProvider();
    }
}
