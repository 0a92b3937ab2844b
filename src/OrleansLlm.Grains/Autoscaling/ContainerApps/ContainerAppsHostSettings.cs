using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>
/// Where the Container Apps pool is and what it holds, from the environment (infra/main.bicep
/// sets these on the control app): the subscription and resource group of the silo apps, the apps
/// themselves, their host types, and the Azure Resource Manager endpoint.
/// </summary>
public sealed partial record ContainerAppsHostSettings
{
    public static readonly Uri PublicCloudArmEndpoint = new("https://management.azure.com/");

    /// <summary><c>OLLM_ACA_SUBSCRIPTION_ID</c>: the subscription of the silo apps.</summary>
    public required string SubscriptionId { get; init; }

    /// <summary><c>OLLM_ACA_RESOURCE_GROUP</c>: the resource group of the silo apps.</summary>
    public required string ResourceGroup { get; init; }

    /// <summary>
    /// <c>OLLM_ACA_SILO_APPS</c>: the pool, <c>name=type@ip:port</c> separated by <c>,</c> — the
    /// app's name, its host type, and the silo endpoint it advertises, which ties it to Orleans
    /// membership (e.g. <c>ca-silo-g0-0-x=t4@10.42.0.60:11111,ca-silo-g0-1-x=t4@10.42.0.60:11112</c>).
    /// </summary>
    public required IReadOnlyList<ContainerAppsSiloApp> Apps { get; init; }

    /// <summary><c>OLLM_HOST_TYPES</c> (<see cref="HostTypeList"/>): every type an app names.</summary>
    public required IReadOnlyList<HostType> HostTypes { get; init; }

    /// <summary><c>OLLM_ARM_ENDPOINT</c>: Azure Resource Manager (a sovereign cloud's, or a test's); the token's scope is its <c>/.default</c>.</summary>
    public Uri ArmEndpoint { get; init; } = PublicCloudArmEndpoint;

    /// <summary><c>AZURE_CLIENT_ID</c>: the user-assigned managed identity to call ARM as; none means the credential chain's default.</summary>
    public string? ManagedIdentityClientId { get; init; }

    /// <summary>
    /// How long a start or stop ARM accepted may take before the app is reported
    /// <see cref="ProvidedHostStatus.Failed"/>: a GPU app's start pulls a large image and waits
    /// for a GPU, so minutes are normal; an operation that never ends must still end somewhere.
    /// </summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long an app's runningStatus read from ARM is used before it is read again: the
    /// autoscaler lists the pool every second, and ARM's read budget is per subscription (a few
    /// dozen a second), shared with everything else in it. An app whose start or stop just
    /// finished is read at once.
    /// </summary>
    public TimeSpan StatusRefresh { get; init; } = TimeSpan.FromSeconds(10);

    /// <exception cref="InvalidOperationException">A required variable is missing, or the ARM endpoint is not an https URI; the message names the variable.</exception>
    /// <exception cref="FormatException">An entry of <c>OLLM_ACA_SILO_APPS</c> or <c>OLLM_HOST_TYPES</c> is malformed; the message names the variable and the entry.</exception>
    public static ContainerAppsHostSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var subscription = Required(configuration, "OLLM_ACA_SUBSCRIPTION_ID", "the subscription of the silo apps");
        if (!Guid.TryParse(subscription, out _))
            throw new InvalidOperationException($"OLLM_ACA_SUBSCRIPTION_ID '{subscription}' is not a subscription id (a GUID)");
        var resourceGroup = Required(configuration, "OLLM_ACA_RESOURCE_GROUP", "the resource group of the silo apps");
        if (!ResourceGroupName().IsMatch(resourceGroup))
            throw new InvalidOperationException($"OLLM_ACA_RESOURCE_GROUP '{resourceGroup}' is not a resource group name");
        var types = HostTypeList.Parse(Required(configuration, "OLLM_HOST_TYPES", "the host types of the pool, e.g. t4=cuda:15GiB@0.53"))
            .Select(t => t.Type)
            .ToList();
        if (types.Count == 0)
            throw new FormatException("OLLM_HOST_TYPES names no host type (name=GPUS@cost, separated by ';')");
        var apps = ParseApps(Required(configuration, "OLLM_ACA_SILO_APPS", "the pool, e.g. ca-silo-0=t4@10.42.0.60:11111"), types);

        var arm = PublicCloudArmEndpoint;
        if (NonEmpty(configuration["OLLM_ARM_ENDPOINT"]) is { } text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttps)
                throw new InvalidOperationException($"OLLM_ARM_ENDPOINT '{text}' is not an https URI (e.g. https://management.azure.com)");
            arm = parsed;
        }

        return new ContainerAppsHostSettings
        {
            SubscriptionId = subscription,
            ResourceGroup = resourceGroup,
            Apps = apps,
            HostTypes = types,
            ArmEndpoint = arm,
            ManagedIdentityClientId = NonEmpty(configuration["AZURE_CLIENT_ID"]),
        };
    }

    /// <exception cref="FormatException">An entry is not <c>name=type@ip:port</c>, names an unknown type, or repeats a name or an endpoint.</exception>
    public static IReadOnlyList<ContainerAppsSiloApp> ParseApps(string text, IReadOnlyList<HostType> types)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(types);
        var apps = new List<ContainerAppsSiloApp>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var at = entry.IndexOf('@', StringComparison.Ordinal);
            if (equals <= 0 || at < equals)
                throw new FormatException($"OLLM_ACA_SILO_APPS entry '{entry}' is not name=type@ip:port (e.g. ca-silo-0=t4@10.42.0.60:11111)");
            var name = entry[..equals].Trim();
            var type = entry[(equals + 1)..at].Trim();
            var endpointText = entry[(at + 1)..].Trim();
            // The name goes into the ARM request path: only what Container Apps allows in a name.
            if (!ContainerAppName().IsMatch(name))
                throw new FormatException($"OLLM_ACA_SILO_APPS entry '{entry}': '{name}' is not a container app name (lower-case letters, digits and '-', starting with a letter, at most 32)");
            if (!types.Any(t => t.Name == type))
                throw new FormatException($"OLLM_ACA_SILO_APPS entry '{entry}': type '{type}' is not one of OLLM_HOST_TYPES ({string.Join(", ", types.Select(t => t.Name))})");
            if (!IPEndPoint.TryParse(endpointText, out var endpoint) || endpoint.Port == 0)
                throw new FormatException($"OLLM_ACA_SILO_APPS entry '{entry}': '{endpointText}' is not the ip:port the app's silo advertises");
            var siloEndpoint = endpoint.ToString();
            if (apps.Any(a => a.Name == name))
                throw new FormatException($"OLLM_ACA_SILO_APPS names '{name}' twice");
            if (apps.FirstOrDefault(a => a.SiloEndpoint == siloEndpoint) is { } other)
                throw new FormatException($"OLLM_ACA_SILO_APPS gives '{name}' and '{other.Name}' the same silo endpoint {siloEndpoint}");
            apps.Add(new ContainerAppsSiloApp(name, type, siloEndpoint));
        }
        if (apps.Count == 0)
            throw new FormatException("OLLM_ACA_SILO_APPS names no app (name=type@ip:port, separated by ',')");
        return apps;
    }

    private static string Required(IConfiguration configuration, string variable, string what) =>
        NonEmpty(configuration[variable]) ?? throw new InvalidOperationException($"{variable} is not set: the Container Apps host provider needs {what}");

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // Container Apps: 2 to 32 lower-case letters, digits or '-', a letter first, no '-' last.
    [GeneratedRegex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$")]
    private static partial Regex ContainerAppName();

    // Resource groups: up to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'.
    [GeneratedRegex(@"^[\p{L}\p{N}_\-.()]{0,89}[\p{L}\p{N}_\-()]$")]
    private static partial Regex ResourceGroupName();
}
