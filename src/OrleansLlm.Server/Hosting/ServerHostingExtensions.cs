using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Grains.Autoscaling;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Hosting;
using OrleansLlm.Server.Api;
using OrleansLlm.Server.Api.Ollama;
using OrleansLlm.Server.Api.OpenAi;
using OrleansLlm.Server.Dashboard;
using OrleansLlm.Server.Telemetry;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// The server's wiring, as eShop wires its apps: <c>builder.AddOrleansLlmServer()</c> adds every
/// service the role needs (README "Roles"), <c>app.MapOrleansLlmEndpoints()</c> maps its HTTP surface.
/// </summary>
public static class ServerHostingExtensions
{
    /// <param name="configure">Applied to the builder after the environment is read, before anything is decided from it.</param>
    public static WebApplicationBuilder AddOrleansLlmServer(this WebApplicationBuilder builder, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddOllamaEnvironment(OllamaEnvironment.Current());
        configure?.Invoke(builder);
        var configuration = builder.Configuration;
        var options = configuration.GetSection(OrleansLlmOptions.Section).Get<OrleansLlmOptions>() ?? new OrleansLlmOptions();

        builder.WebHost.UseUrls(OrleansLlmServer.ListenUrl(configuration["OLLAMA_HOST"]));
        var roleName = (configuration["OLLM_ROLE"] ?? "all").Trim().ToLowerInvariant();
        if (!ServerRole.Names.Contains(roleName))
            throw new InvalidOperationException($"OLLM_ROLE '{roleName}' is not a role: use all, frontend, silo or control");
        var catalog = new ModelCatalog(options.Models);
        if (roleName is "all" or "control")
            OrleansLlmServer.EnsureDemoModel(catalog);
        var cluster = ClusterSettings.From(configuration);
        var role = new ServerRole(roleName, options, catalog, cluster);
        var autoscaler = AutoscalerOptions.From(configuration);
        if (autoscaler.Mode != AutoscalerMode.Off && roleName == "all")
            throw new InvalidOperationException("OLLM_AUTOSCALER runs on a control silo, never on a GPU host it could stop: run it with OLLM_ROLE=control");
        builder.Services.AddSingleton(role);
        builder.Services.AddSingleton(catalog);
        builder.Services.TryAddSingleton<ModelFileCache>();
        // Before Orleans starts (hosted services start in order): storage that does not answer is an
        // error naming it, not a process that hangs retrying membership.
        builder.Services.AddHostedService(_ => new ClusterStorageCheck(cluster));
        if (role.IsSilo)
        {
            // Localhost clustering: the first silo is the primary (OLLM_PRIMARY_SILO names it for the others).
            var primary = configuration["OLLM_PRIMARY_SILO"] is { Length: > 0 } p ? System.Net.IPEndPoint.Parse(p) : null;
            builder.UseOrleans(silo =>
            {
                // Grain calls carry the caller's trace (Orleans' W3C propagation through the request context).
                silo.UseOrleansLlmCluster(cluster, primary).AddOrleansLlm(configuration).AddActivityPropagation();
                if (roleName == "control")
                    silo.AddOrleansLlmControl(configuration, autoscaler, cluster);
            });
        }
        else
        {
            // A front-end joins as an Orleans client: through the silos' gateways (OLLM_GATEWAYS: ports)
            // on localhost, through the membership table with Azure clustering.
            var gateways = (configuration["OLLM_GATEWAYS"] ?? cluster.GatewayPort.ToString(CultureInfo.InvariantCulture))
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(port => int.Parse(port, CultureInfo.InvariantCulture)).ToArray();
            builder.UseOrleansClient(client => client.UseOrleansLlmCluster(cluster, gateways).AddActivityPropagation());
            builder.Services.AddOrleansLlmSerialization();
        }
        builder.Services.AddSingleton(sp => new ModelClient(sp.GetRequiredService<IGrainFactory>(), options.MaxQueue, autoscaler.ClientWait));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<ApiActivity>();
        builder.Services.TryAddSingleton(autoscaler);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddOrleansLlmHealthChecks();
        builder.AddOrleansLlmTelemetry(roleName);
        return builder;
    }

    public static WebApplication MapOrleansLlmEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var role = app.Services.GetRequiredService<ServerRole>();
        // ApiExceptionHandler answers every exception; the middleware insists on a fallback all the same.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = _ => Task.CompletedTask });
        if (app.Configuration["OLLM_API_KEY"] is { Length: > 0 } key)
            app.Use(new ApiKeyGate(key).Invoke);
        if (role.Options.Runner == "llama" && role.HostsRunners)
            Inference.Llama.LlamaNative.EnsureLoaded(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("llama.cpp"), role.Options.LlamaNativeDirectory);
        app.MapHealth();
        app.MapOrleansLlmMetrics();
        StartupBanner.PrintWhenStarted(app, role.Role, role.Options, role.Catalog, role.Cluster);
        if (role.ServesApi)
        {
            app.MapOllamaApi();
            app.MapOpenAiApi();
            app.MapAutoscalerApi();
            app.MapClusterApi();
            app.MapDashboard();
            // Listening from the start: the dashboard's sparklines count every request.
            app.Services.GetRequiredService<ApiActivity>();
        }
        return app;
    }
}
