using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Abstractions.Catalog;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary>Ollama's HTTP API over the cluster.</summary>
public static class OllamaApi
{
    /// <summary>What Ollama's clients look for at <c>GET /</c> before they talk to a server.</summary>
    public const string RootText = "Ollama is running";

    public static IEndpointRouteBuilder MapOllamaApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/", ["GET", "HEAD"], () => Results.Text(RootText));
        var api = app.MapGroup("/api").WithMetadata(ErrorShape.Ollama);
        api.MapGet("/version", () => Results.Json(new { version = typeof(OllamaApi).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" }, OllamaJson.Options));
        api.MapPost("/generate", (HttpContext http, ModelCatalog catalog, ModelClient models, ModelFileCache files, ILogger<ApiExceptionHandler> logger) =>
            GenerateEndpoint.Handle(http, catalog, models, files, logger, chat: false));
        api.MapPost("/chat", (HttpContext http, ModelCatalog catalog, ModelClient models, ModelFileCache files, ILogger<ApiExceptionHandler> logger) =>
            GenerateEndpoint.Handle(http, catalog, models, files, logger, chat: true));
        api.MapPost("/embed", (HttpContext http, ModelCatalog catalog, ModelClient models) => EmbedEndpoint.Handle(http, catalog, models, legacy: false));
        api.MapPost("/embeddings", (HttpContext http, ModelCatalog catalog, ModelClient models) => EmbedEndpoint.Handle(http, catalog, models, legacy: true));
        api.MapPost("/show", (HttpContext http, ModelCatalog catalog, ModelFileCache files) => ShowEndpoint.Handle(http, catalog, files));
        api.MapGet("/tags", (ModelCatalog catalog, ModelFileCache files) => Results.Json(new { models = catalog.List().Select(m => Describe(files, m.Name, m.File.FullName, m.File)) }, OllamaJson.Options));
        api.MapGet("/ps", Running);
        return app;
    }

    /// <summary>How long <c>/api/ps</c> waits for one silo: a silo that was killed answers nothing until membership declares it dead.</summary>
    internal static readonly TimeSpan SiloAnswerTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The loaded models of every silo that answers within <see cref="SiloAnswerTimeout"/>; those
    /// that do not are named in <c>unreachable</c> (an addition Ollama's clients ignore), never a 500.
    /// </summary>
    private static async Task<IResult> Running(IGrainFactory grains, ModelCatalog catalog, ModelFileCache files, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(OllamaApi));
        Dictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(SiloAnswerTimeout);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            logger.LogWarning(e, "/api/ps: the cluster's membership did not answer");
            return ErrorShape.Ollama.Result(new ApiError(503, "the cluster is not reachable, try again", "server_error"));
        }
        var unreachable = new List<string>();
        var snapshots = await Task.WhenAll(hosts.Keys.Select(async host =>
        {
            try
            {
                return await grains.GetGrain<IGpuSiloGrain>(host.ToParsableString()).GetSnapshot().WaitAsync(SiloAnswerTimeout);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                logger.LogWarning("/api/ps: silo {Silo} did not answer: {Reason}", host, e.Message);
                lock (unreachable)
                    unreachable.Add(host.ToParsableString());
                return null;
            }
        }));
        var models = new List<object>();
        foreach (var snapshot in snapshots.OfType<SiloSnapshot>())
        {
            foreach (var runner in snapshot.Host.Runners.Where(r => !r.Loading))
            {
                ModelStatus status;
                try
                {
                    status = await grains.GetGrain<IModelGrain>(runner.ModelPath).GetStatus().WaitAsync(SiloAnswerTimeout);
                }
                catch (Exception e) when (e is TimeoutException or OrleansException)
                {
                    logger.LogWarning("/api/ps: model {Model} did not answer: {Reason}", runner.ModelPath, e.Message);
                    continue; // its silo is going: it is not running anywhere we can show
                }
                var name = catalog.NameOf(runner.ModelPath) ?? runner.ModelPath;
                var entry = Describe(files, name, runner.ModelPath, new FileInfo(runner.ModelPath));
                entry["size"] = status.SizeBytes;
                entry["size_vram"] = status.VramBytes;
                entry["expires_at"] = ExpiresAt(status);
                entry["context_length"] = status.Options?.NumCtx;
                entry["silo"] = snapshot.SiloAddress;
                entry["gpus"] = status.Devices.Where(d => !d.IsCpu).Select(d => new { id = d.Id, name = d.Name, library = d.Library }).ToArray();
                models.Add(entry);
            }
        }
        return unreachable.Count == 0
            ? Results.Json(new { models }, OllamaJson.Options)
            : Results.Json(new { models, unreachable }, OllamaJson.Options);
    }

    private static string ExpiresAt(ModelStatus status)
    {
        var at = status.KeepAlive.IsForever ? DateTimeOffset.MaxValue
            : status.ExpiresAt ?? DateTimeOffset.UtcNow + status.KeepAlive.Duration;
        return OllamaResponses.Timestamp(at);
    }

    private static Dictionary<string, object?> Describe(ModelFileCache files, string name, string path, FileInfo file)
    {
        var entry = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["model"] = name,
            ["modified_at"] = file.Exists ? file.LastWriteTimeUtc.ToString("O", CultureInfo.InvariantCulture) : null,
            ["size"] = file.Exists ? file.Length : 0,
            ["digest"] = file.Exists ? files.Digest(path) : null,
        };
        try
        {
            var header = files.Header(path);
            var arch = header.Architecture;
            entry["details"] = new Dictionary<string, object?>
            {
                ["format"] = "gguf",
                ["family"] = arch.Name,
                ["families"] = arch.Name is null ? null : new[] { arch.Name },
                ["parameter_size"] = ParameterSize(header.ParameterCount),
                ["quantization_level"] = arch.FileTypeName,
            };
        }
        catch (Exception e) when (e is GgufFormatException or IOException)
        {
            entry["details"] = new Dictionary<string, object?> { ["format"] = "gguf", ["error"] = ClientErrors.WithoutPaths(e.Message) };
        }
        return entry;
    }

    private static string ParameterSize(long parameters) => parameters switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{parameters / 1e9:0.#}B"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{parameters / 1e6:0.#}M"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{parameters / 1e3:0.#}K"),
    };
}
