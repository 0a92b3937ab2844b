using System.Globalization;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// The embedded default: one process that is both the HTTP front-end and a silo, with localhost
/// clustering and in-memory state, serving the models under <c>OLLM_MODELS</c> (and writing the
/// demo model there when there is none).
/// </summary>
public static class OrleansLlmServer
{
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 11434;

    /// <summary>The server as <c>Program.cs</c> runs it: the builder, our services, our endpoints.</summary>
    /// <param name="configure">Applied to the builder after the environment is read (tests add configuration or services).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateBuilder(args.Where(a => a != StartupBanner.VerboseSwitch).ToArray());
        StartupBanner.QuietFrameworks(builder, args);
        builder.AddOrleansLlmServer(configure);
        var app = builder.Build();
        app.MapOrleansLlmEndpoints();
        return app;
    }

    /// <summary>
    /// <c>OLLAMA_HOST</c> as Ollama reads it: <c>host</c>, <c>host:port</c>, <c>:port</c> or a URL;
    /// the host defaults to 127.0.0.1 and the port to 11434.
    /// </summary>
    public static string ListenUrl(string? value)
    {
        var text = value?.Trim() ?? "";
        var scheme = "http";
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            scheme = text[..schemeEnd];
            text = text[(schemeEnd + 3)..];
        }
        text = text.TrimEnd('/');
        var host = DefaultHost;
        var port = DefaultPort;
        var colon = text.LastIndexOf(':');
        if (colon >= 0 && !text.EndsWith(']'))
        {
            if (colon > 0)
                host = text[..colon];
            if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
                throw new FormatException($"OLLAMA_HOST '{value}': '{text[(colon + 1)..]}' is not a port");
        }
        else if (text.Length > 0)
        {
            host = text;
        }
        return $"{scheme}://{host}:{port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>A fresh machine has no model: write the demo model (24 M parameters) as <c>demo</c>.</summary>
    public static void EnsureDemoModel(ModelCatalog catalog)
    {
        if (catalog.List().Count > 0)
            return;
        var path = Path.Combine(catalog.Root, "demo", ModelCatalog.DefaultTag + ".gguf");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        DemoModel.Write(path, DemoModelOptions.Small with { WeightType = GgmlType.F16 });
    }
}
