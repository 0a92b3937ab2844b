using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Server.Telemetry;

using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary>Ollama's HTTP API over the cluster.</summary>
public static partial class OllamaApi
{
    /// <summary>What Ollama's clients look for at <c>GET /</c> before they talk to a server.</summary>
    public const string RootText = "Ollama is running";

    public static IEndpointRouteBuilder MapOllamaApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/", ["GET", "HEAD"], () => Results.Text(RootText));
        var api = app.MapGroup("/api").WithMetadata(ErrorShape.Ollama);
        api.MapGet("/version", () => Results.Json(new { version = typeof(OllamaApi).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" }, OllamaJson.Options));
        api.MapPost("/generate", (HttpContext http, ModelCatalog catalog, ModelClient models, ModelFileCache files, ILogger<ApiExceptionHandler> logger) =>
            GenerateEndpoint.Handle(http, catalog, models, files, logger, chat: false)).AddEndpointFilter(new ApiMetricsFilter("text_completion"));
        api.MapPost("/chat", (HttpContext http, ModelCatalog catalog, ModelClient models, ModelFileCache files, ILogger<ApiExceptionHandler> logger) =>
            GenerateEndpoint.Handle(http, catalog, models, files, logger, chat: true)).AddEndpointFilter(new ApiMetricsFilter("chat"));
        api.MapPost("/embed", (HttpContext http, ModelCatalog catalog, ModelClient models) => EmbedEndpoint.Handle(http, catalog, models, legacy: false)).AddEndpointFilter(new ApiMetricsFilter("embeddings"));
        api.MapPost("/embeddings", (HttpContext http, ModelCatalog catalog, ModelClient models) => EmbedEndpoint.Handle(http, catalog, models, legacy: true)).AddEndpointFilter(new ApiMetricsFilter("embeddings"));
        api.MapPost("/show", (HttpContext http, ModelCatalog catalog, ModelFileCache files) => ShowEndpoint.Handle(http, catalog, files));
        api.MapGet("/tags", (ModelCatalog catalog, ModelFileCache files) => Results.Json(new { models = catalog.List().Select(m => Describe(files, m.Name, m.File.FullName, m.File)) }, OllamaJson.Options));
        api.MapGet("/ps", Running);
        return app;
    }

    /// <summary>
    /// The loaded models of every silo that answers within <see cref="ClusterReader.SiloAnswerTimeout"/>;
    /// those that do not are named in <c>unreachable</c> (an addition Ollama's clients ignore), never
    /// a 500. Each model keeps Ollama's fields and adds where it runs (README "/api/ps").
    /// </summary>
    private static async Task<IResult> Running(IGrainFactory grains, ModelCatalog catalog, ModelFileCache files, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(OllamaApi));
        if (await ClusterReader.Read(grains, logger, withActivity: false) is not { } cluster)
            return ErrorShape.Ollama.Result(new ApiError(503, "the cluster is not reachable, try again", "server_error"));
        var models = new List<object>();
        foreach (var snapshot in cluster.Silos.Select(s => s.Snapshot))
        {
            foreach (var runner in snapshot.Host.Runners.Where(r => !r.Loading))
            {
                ModelStatus status;
                try
                {
                    status = await grains.GetGrain<IModelGrain>(runner.ModelPath).GetStatus().WaitAsync(ClusterReader.SiloAnswerTimeout);
                }
                catch (Exception e) when (ClusterReader.DidNotAnswer(e))
                {
                    LogModelSilent(logger, runner.ModelPath, e.Message);
                    continue; // its silo is going: it is not running anywhere we can show
                }
                var key = ModelKey.Parse(runner.ModelPath);
                var name = catalog.NameOf(key.Path) ?? key.Path;
                var entry = Describe(files, name, key.Path, new FileInfo(key.Path));
                entry["size"] = status.SizeBytes;
                entry["size_vram"] = status.VramBytes;
                entry["expires_at"] = ExpiresAt(status);
                entry["context_length"] = status.Options?.NumCtx;
                entry["silo"] = snapshot.SiloAddress;
                entry["replica"] = key.Replica;
                entry["state"] = RunnerStates.Of(runner);
                entry["keep_alive"] = RunnerStates.KeepAliveText(status.KeepAlive);
                entry["gpus"] = status.Devices.Where(d => !d.IsCpu).Select(d => new
                {
                    id = d.Id,
                    name = d.Name,
                    library = d.Library,
                    size_vram = runner.VramByGpu.GetValueOrDefault(d.Id),
                }).ToArray();
                models.Add(entry);
            }
        }
        return cluster.Unreachable.Count == 0
            ? Results.Json(new { models }, OllamaJson.Options)
            : Results.Json(new { models, unreachable = cluster.Unreachable }, OllamaJson.Options);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "/api/ps: model {Model} did not answer: {Reason}")]
    private static partial void LogModelSilent(ILogger logger, string model, string reason);

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
