using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansLlm.Gguf.Files;
using Microsoft.Extensions.Hosting;
using OrleansLlm.Abstractions;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Hosting;
using OrleansLlm.Server.Api;
using OrleansLlm.Server.Api.Ollama;
using OrleansLlm.Server.Api.OpenAi;
using OrleansLlm.Server.Templates;
using OrleansLlm.Abstractions.Catalog;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// The embedded default: one process that is both the HTTP front-end and a silo, with localhost
/// clustering and in-memory state, serving the models under <c>OLLM_MODELS</c> (and writing the
/// demo model there when there is none).
/// </summary>
public static class OllmServer
{
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 11434;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args.Where(a => a != StartupBanner.VerboseSwitch).ToArray());
        StartupBanner.QuietFrameworks(builder, args);
        builder.Configuration.AddOllamaEnvironment(OllamaEnvironment.Current());
        configure?.Invoke(builder);
        var configuration = builder.Configuration;
        var options = configuration.GetSection(OllmOptions.Section).Get<OllmOptions>() ?? new OllmOptions();

        builder.WebHost.UseUrls(ListenUrl(configuration["OLLAMA_HOST"]));
        var role = (configuration["OLLM_ROLE"] ?? "all").Trim().ToLowerInvariant();
        if (role is not ("all" or "silo" or "frontend"))
            throw new InvalidOperationException($"OLLM_ROLE '{role}' is not a role: use all, frontend or silo");
        var catalog = new ModelCatalog(options.Models);
        if (role == "all")
            EnsureDemoModel(catalog);
        builder.Services.AddSingleton(catalog);
        builder.Services.TryAddSingleton<ModelFileCache>();
        var cluster = ClusterSettings.From(configuration);
        // Before Orleans starts (hosted services start in order): storage that does not answer is an
        // error naming it, not a process that hangs retrying membership.
        builder.Services.AddHostedService(_ => new ClusterStorageCheck(cluster));
        if (role is "all" or "silo")
        {
            // Localhost clustering: the first silo is the primary (OLLM_PRIMARY_SILO names it for the others).
            var primary = configuration["OLLM_PRIMARY_SILO"] is { Length: > 0 } p ? System.Net.IPEndPoint.Parse(p) : null;
            builder.UseOrleans(silo => silo
                .UseOrleansLlmCluster(cluster, primary)
                .AddOrleansLlm(configuration));
        }
        else
        {
            // A front-end joins as an Orleans client: through the silos' gateways (OLLM_GATEWAYS: ports)
            // on localhost, through the membership table with Azure clustering.
            var gateways = (configuration["OLLM_GATEWAYS"] ?? cluster.GatewayPort.ToString(CultureInfo.InvariantCulture))
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(port => int.Parse(port, CultureInfo.InvariantCulture)).ToArray();
            builder.UseOrleansClient(client => client.UseOrleansLlmCluster(cluster, gateways));
            builder.Services.AddOrleansLlmSerialization();
        }
        builder.Services.AddSingleton(sp => new ModelClient(sp.GetRequiredService<IGrainFactory>(), options.MaxQueue));
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();

        var app = builder.Build();
        // ApiExceptionHandler answers every exception; the middleware insists on a fallback all the same.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = _ => Task.CompletedTask });
        if (configuration["OLLM_API_KEY"] is { Length: > 0 } key)
            app.Use(new ApiKeyGate(key).Invoke);
        if (options.Runner == "llama" && role != "frontend")
            Inference.Llama.LlamaNative.EnsureLoaded(app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("llama.cpp"), options.LlamaNativeDirectory);
        app.MapHealth(options, hostsRunners: role != "frontend");
        StartupBanner.PrintWhenStarted(app, role, options, catalog, cluster);
        if (role is "all" or "frontend")
        {
            app.MapOllamaApi();
            app.MapOpenAiApi();
        }
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
