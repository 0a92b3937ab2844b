using System.Text;
using OrleansLlm.Gguf;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Prompts;
using OrleansLlm.Gguf.Files;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary>
/// <c>POST /api/show</c>: a model's details from its GGUF header (arrays over 1024 elements as null,
/// all of them with <c>verbose</c>), its template, a modelfile, and its capabilities.
/// </summary>
internal static class ShowEndpoint
{
    private static readonly string[] Hidden = ["general.name", "tokenizer.chat_template"];

    public static async Task<IResult> Handle(HttpContext http, ModelCatalog catalog, ModelFileCache files)
    {
        var body = await OllamaJson.ReadBody(http.Request);
        var name = OllamaJson.String(body, "model") ?? OllamaJson.String(body, "name") ?? throw new BadRequestException("model is required", "model");
        var path = catalog.Resolve(name) ?? throw new ModelNotFoundException(name);
        var verbose = OllamaJson.Bool(body, "verbose") ?? false;
        // Verbose asks for every array in full (a 128k vocabulary): read for this answer only, not kept.
        var header = verbose ? GgufReader.ReadFile(path, GgufReaderOptions.LoadAllArrays) : files.Header(path);
        var info = header.Metadata.Where(e => !Hidden.Contains(e.Key)).ToDictionary(e => e.Key, e => e.Value.ToObject());
        info["general.parameter_count"] = header.ParameterCount;
        // The Go template requests are rendered with when the GGUF's Jinja matched a known one, else the Jinja itself.
        var model = ModelTemplate.Of(files, path);
        var template = model.Known?.Source ?? header.Architecture.ChatTemplate ?? "";
        var file = new FileInfo(path);
        return Results.Json(new Dictionary<string, object?>
        {
            ["license"] = header.Metadata.GetString("general.license") ?? "",
            ["modelfile"] = Modelfile(name, path, template),
            ["parameters"] = "",
            ["template"] = template,
            ["details"] = new Dictionary<string, object?>
            {
                ["format"] = "gguf",
                ["family"] = header.Architecture.Name,
                ["families"] = header.Architecture.Name is { } arch ? new[] { arch } : null,
                ["quantization_level"] = header.Architecture.FileTypeName,
            },
            ["model_info"] = info,
            ["capabilities"] = Capabilities(header, model),
            ["modified_at"] = OllamaResponses.Timestamp(file.LastWriteTimeUtc),
        }, OllamaJson.Options);
    }

    private static string[] Capabilities(GgufFile header, ModelTemplate model) =>
        header.Architecture.Name is "bert" or "nomic-bert" ? ["embedding"]
        : model.SupportsTools ? ["completion", "tools"]
        : ["completion"];

    private static string Modelfile(string name, string path, string template)
    {
        var text = new StringBuilder()
            .Append("# Modelfile of ").Append(name).Append('\n')
            .Append("FROM ").Append(path).Append('\n');
        if (template.Length > 0)
            text.Append("TEMPLATE \"\"\"").Append(template).Append("\"\"\"\n");
        return text.ToString();
    }
}
