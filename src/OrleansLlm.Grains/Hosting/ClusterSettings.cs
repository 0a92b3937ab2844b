using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace OrleansLlm.Grains.Hosting;

/// <summary>
/// How this process joins its cluster, from the environment (README "Configuration"): loopback
/// development clustering with in-memory state, or membership, reminders and model grain state in
/// Azure Storage tables (Azurite locally), as every silo and front-end of a deployment must agree.
/// </summary>
public sealed record ClusterSettings
{
    public const string Localhost = "localhost";
    public const string Azure = "azure";

    /// <summary><c>OLLM_CLUSTERING</c>: <c>localhost</c> (default) or <c>azure</c>.</summary>
    public string Clustering { get; init; } = Localhost;

    /// <summary><c>OLLM_STORAGE_CONNECTION_STRING</c>: a storage connection string (Azurite, development).</summary>
    public string? StorageConnectionString { get; init; }

    /// <summary><c>OLLM_STORAGE_TABLE_URI</c>: the account's table endpoint, reached with the managed identity (<c>AZURE_CLIENT_ID</c>).</summary>
    public Uri? StorageTableUri { get; init; }

    /// <summary><c>OLLM_CLUSTER_ID</c>: one per deployment (or blue-green cluster).</summary>
    public string ClusterId { get; init; } = "ollm";

    /// <summary><c>OLLM_SERVICE_ID</c>: stable across deployments; grain state and reminders are keyed by it.</summary>
    public string ServiceId { get; init; } = "ollm";

    /// <summary><c>OLLM_ADVERTISED_IP</c>: the address other silos and clients reach this silo at (Container Apps: the environment's static IP).</summary>
    public IPAddress? AdvertisedIp { get; init; }

    /// <summary><c>OLLM_SILO_PORT</c> (<c>Ollm:SiloPort</c>): silo-to-silo port, advertised and listened on.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary><c>OLLM_GATEWAY_PORT</c> (<c>Ollm:GatewayPort</c>): the port front-ends connect to.</summary>
    public int GatewayPort { get; init; } = 30000;

    public bool UsesAzure => Clustering == Azure;

    /// <summary>Where the storage is, for messages: the table endpoint or the connection string's.</summary>
    public string StorageEndpoint => StorageTableUri?.ToString() ?? TableEndpointOf(StorageConnectionString) ?? "(no storage configured)";

    /// <exception cref="InvalidOperationException">A setting that is not valid, named with its variable.</exception>
    public static ClusterSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var clustering = (configuration["OLLM_CLUSTERING"] ?? Localhost).Trim().ToLowerInvariant();
        if (clustering is not (Localhost or Azure))
            throw new InvalidOperationException($"OLLM_CLUSTERING '{clustering}' is not a clustering: use localhost or azure");
        var settings = new ClusterSettings
        {
            Clustering = clustering,
            StorageConnectionString = NonEmpty(configuration["OLLM_STORAGE_CONNECTION_STRING"]),
            StorageTableUri = NonEmpty(configuration["OLLM_STORAGE_TABLE_URI"]) is { } uri
                ? Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : throw new InvalidOperationException($"OLLM_STORAGE_TABLE_URI '{uri}' is not an absolute URI")
                : null,
            ClusterId = NonEmpty(configuration["OLLM_CLUSTER_ID"]) ?? "ollm",
            ServiceId = NonEmpty(configuration["OLLM_SERVICE_ID"]) ?? "ollm",
            AdvertisedIp = NonEmpty(configuration["OLLM_ADVERTISED_IP"]) is { } ip
                ? IPAddress.TryParse(ip, out var address) ? address : throw new InvalidOperationException($"OLLM_ADVERTISED_IP '{ip}' is not an IP address")
                : null,
            SiloPort = Port(configuration, "OLLM_SILO_PORT", "Ollm:SiloPort", 11111),
            GatewayPort = Port(configuration, "OLLM_GATEWAY_PORT", "Ollm:GatewayPort", 30000),
        };
        if (settings.UsesAzure && settings.StorageConnectionString is null && settings.StorageTableUri is null)
            throw new InvalidOperationException("OLLM_CLUSTERING=azure needs the storage: OLLM_STORAGE_TABLE_URI (with a managed identity) or OLLM_STORAGE_CONNECTION_STRING");
        return settings;
    }

    private static int Port(IConfiguration configuration, string variable, string key, int fallback)
    {
        var text = NonEmpty(configuration[variable]) ?? NonEmpty(configuration[key]);
        if (text is null)
            return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new InvalidOperationException($"{variable} '{text}' is not a port");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? TableEndpointOf(string? connectionString)
    {
        if (connectionString is null)
            return null;
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (parts.TryGetValue("TableEndpoint", out var endpoint))
            return endpoint;
        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && dev.Equals("true", StringComparison.OrdinalIgnoreCase))
            return "http://127.0.0.1:10002/devstoreaccount1";
        return parts.TryGetValue("AccountName", out var account) ? $"https://{account}.table.core.windows.net" : "(the connection string's account)";
    }
}
