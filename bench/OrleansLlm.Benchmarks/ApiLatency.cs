using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Inference.Llama;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Server.Hosting;

namespace OrleansLlm.Benchmarks;

/// <summary>
/// What the full path adds: a 1-token generation on a loaded model through HTTP → front-end →
/// model grain → runner, against the same generation called on a runner directly, same process.
/// </summary>
internal static class ApiLatency
{
    private const int Requests = 300;

    /// <summary>Servers per telemetry setting.</summary>
    private const int Rounds = 2;

    public static async Task<int> Run(string resultsPath)
    {
        LlamaNative.EnsureLoaded(NullLogger.Instance);
        var models = Path.Combine(Path.GetTempPath(), "ollm-latency-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(models, "demo"));
        var path = Path.Combine(models, "demo", "latest.gguf");
        DemoModel.Write(path, DemoModelOptions.Tiny);
        try
        {
            var direct = await Direct(path);
            // Telemetry on (the default: metrics, and spans that log lines carry) and off
            // (OTEL_SDK_DISABLED=true), alternated so that drift on a shared machine hits both alike.
            var on = new List<double>();
            var off = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                off.AddRange(await ThroughHttp(models, telemetry: false));
                on.AddRange(await ThroughHttp(models, telemetry: true));
            }
            var full = on.Order().ToArray();
            var bare = off.Order().ToArray();
            var table = new StringBuilder()
                .AppendLine("| path | median | p99 |")
                .AppendLine("|---|---:|---:|")
                .AppendLine(CultureInfo.InvariantCulture, $"| runner called directly | {Median(direct):0.00} ms | {P99(direct):0.00} ms |")
                .AppendLine(CultureInfo.InvariantCulture, $"| HTTP → front-end → model grain → runner | {Median(full):0.00} ms | {P99(full):0.00} ms |")
                .AppendLine(CultureInfo.InvariantCulture, $"| added by the full path | {Median(full) - Median(direct):0.00} ms | {P99(full) - P99(direct):0.00} ms |")
                .AppendLine(CultureInfo.InvariantCulture, $"| the full path with `OTEL_SDK_DISABLED=true` | {Median(bare):0.00} ms | {P99(bare):0.00} ms |")
                .AppendLine(CultureInfo.InvariantCulture, $"| added by metrics and tracing | {Median(full) - Median(bare):0.00} ms | {P99(full) - P99(bare):0.00} ms |");
            Console.WriteLine(table);
            await File.WriteAllTextAsync(resultsPath, $"""
                # Added latency of the full path

                Measured {DateTime.UtcNow:yyyy-MM-dd} on the 2-core CI-class machine: {Requests} sequential 1-token generations on the tiny demo
                model, already loaded, CPU backend; embedded server (front-end and silo in one process) over loopback HTTP, `stream: false`.
                The full path runs with telemetry as deployed by default (every meter recorded for `/metrics`, every request traced: ASP.NET
                Core's, Orleans' and our spans, no exporter) and with OpenTelemetry off (`OTEL_SDK_DISABLED=true`), {Rounds} servers of each,
                alternated, {Requests} requests per server.
                Reproduce: `dotnet run -c Release --project bench/OrleansLlm.Benchmarks -- api-latency`

                {table}
                """);
            return 0;
        }
        finally
        {
            Directory.Delete(models, recursive: true);
        }
    }

    private static async Task<double[]> Direct(string path)
    {
        var options = RunnerOptions.Default with { NumThread = 2 };
        var cpu = GpuInfo.Cpu(16L << 30, 16L << 30);
        var estimate = MemoryEstimator.Estimate(GgufReader.ReadFile(path), [cpu], options);
        await using var runner = await new LlamaRunnerFactory(NullLogger<LlamaRunnerFactory>.Instance)
            .LoadAsync(new RunnerLoadRequest(path, options, 1, [cpu], estimate, [], []), null, CancellationToken.None);
        var request = new GenerateRequest { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = 1, Seed = 1 } };
        return await Measure(async () =>
        {
            await foreach (var _ in runner.GenerateAsync(request, CancellationToken.None))
            {
            }
        });
    }

    private static async Task<double[]> ThroughHttp(string models, bool telemetry)
    {
        await using var app = OrleansLlmServer.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OLLAMA_HOST"] = "127.0.0.1:0",
            ["Ollm:Models"] = models,
            ["Ollm:Runner"] = "llama",
            ["Ollm:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Ollm:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["OTEL_SDK_DISABLED"] = telemetry ? "false" : "true",
        }));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        const string body = """{"model":"demo","prompt":"hi","stream":false,"options":{"num_predict":1,"seed":1,"num_thread":2}}""";
        var result = await Measure(async () =>
        {
            using var response = await http.PostAsync("/api/generate", new StringContent(body, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync();
        });
        await app.StopAsync();
        return result;
    }

    private static async Task<double[]> Measure(Func<Task> call)
    {
        for (var i = 0; i < 20; i++)
            await call(); // warm: the load, JIT, connections
        var samples = new double[Requests];
        for (var i = 0; i < Requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(samples);
        return samples;
    }

    private static double Median(double[] sorted) => sorted[sorted.Length / 2];

    private static double P99(double[] sorted) => sorted[(int)(sorted.Length * 0.99)];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
