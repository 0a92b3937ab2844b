using System.Globalization;
using Microsoft.Extensions.Configuration;
using OrleansLlm.Abstractions.Autoscaling;
using OrleansLlm.Scheduling.Autoscaling;
using OrleansLlm.Scheduling.KeepAlive;

namespace OrleansLlm.Grains.Autoscaling;

/// <summary>The autoscaler's environment variables (README "Autoscaling"), read once.</summary>
public sealed record AutoscalerOptions
{
    public AutoscalerMode Mode { get; init; } = AutoscalerMode.Off;

    /// <summary><c>OLLM_AUTOSCALER_PROVIDER</c>: <c>process</c> (local silo processes) or <c>containerapps</c>.</summary>
    public string Provider { get; init; } = "process";

    public AutoscalerSettings Settings { get; init; } = AutoscalerSettings.Default;

    /// <summary><c>OLLM_AUTOSCALER_TICK</c>: how often the autoscaler decides without being asked.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>OLLM_HOST_WAIT</c>: how long a request waits for a GPU host to start before a 503.</summary>
    public TimeSpan HostWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>What a front-end does with a model no running host takes.</summary>
    public HostWait ClientWait => new(Mode != AutoscalerMode.Off, Mode == AutoscalerMode.On ? HostWait : TimeSpan.Zero);

    public static AutoscalerOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var mode = (configuration["OLLM_AUTOSCALER"] ?? "off").Trim().ToLowerInvariant() switch
        {
            "off" or "" => AutoscalerMode.Off,
            "advisory" => AutoscalerMode.Advisory,
            "on" => AutoscalerMode.On,
            var other => throw new FormatException($"OLLM_AUTOSCALER '{other}' is not a mode: use off, advisory or on"),
        };
        var defaults = AutoscalerSettings.Default;
        var settings = defaults with
        {
            MinHosts = Count(configuration, "OLLM_MIN_HOSTS", defaults.MinHosts, 0),
            MaxHosts = Count(configuration, "OLLM_MAX_HOSTS", defaults.MaxHosts, 1),
            MaxConcurrentStarts = Count(configuration, "OLLM_MAX_CONCURRENT_STARTS", defaults.MaxConcurrentStarts, 1),
            MaxHostsPerType = Quotas(configuration["OLLM_HOST_QUOTAS"]),
            ScaleInDelay = Duration(configuration, "OLLM_SCALE_IN_DELAY", defaults.ScaleInDelay),
            IdleToZeroDelay = Duration(configuration, "OLLM_IDLE_TO_ZERO_DELAY", defaults.IdleToZeroDelay),
            MinHostLifetime = Duration(configuration, "OLLM_MIN_HOST_LIFETIME", defaults.MinHostLifetime),
            StartTimeout = Duration(configuration, "OLLM_START_TIMEOUT", defaults.StartTimeout),
            WaitBudget = Duration(configuration, "OLLM_LOAD_WAIT_BUDGET", defaults.WaitBudget),
            Backoff = Duration(configuration, "OLLM_START_BACKOFF", defaults.Backoff),
        };
        if (settings.MinHosts > settings.MaxHosts)
            throw new FormatException($"OLLM_MIN_HOSTS ({settings.MinHosts}) is more than OLLM_MAX_HOSTS ({settings.MaxHosts})");
        return new AutoscalerOptions
        {
            Mode = mode,
            Provider = (configuration["OLLM_AUTOSCALER_PROVIDER"] ?? "process").Trim().ToLowerInvariant(),
            Settings = settings,
            Tick = Duration(configuration, "OLLM_AUTOSCALER_TICK", TimeSpan.FromSeconds(1)),
            HostWait = Duration(configuration, "OLLM_HOST_WAIT", TimeSpan.FromMinutes(5)),
        };
    }

    private static int Count(IConfiguration configuration, string variable, int fallback, int min)
    {
        if (configuration[variable] is not { Length: > 0 } text)
            return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new FormatException($"{variable} '{text}' is not a whole number of at least {min}");
    }

    private static TimeSpan Duration(IConfiguration configuration, string variable, TimeSpan fallback)
    {
        if (configuration[variable] is not { Length: > 0 } text)
            return fallback;
        try
        {
            var value = KeepAliveParser.FromEnvironment(text);
            return value.IsForever || value.Duration <= TimeSpan.Zero
                ? throw new FormatException($"{variable} '{text}' must be a positive duration (e.g. 90s, 5m)")
                : value.Duration;
        }
        catch (KeepAliveFormatException e)
        {
            throw new FormatException($"{variable} '{text}' is not a duration (e.g. 90s, 5m)", e);
        }
    }

    /// <summary><c>OLLM_HOST_QUOTAS</c>: <c>type=count</c> pairs, e.g. <c>a100=2,t4=4</c> (a GPU quota per type).</summary>
    private static Dictionary<string, int> Quotas(string? text)
    {
        var quotas = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw new FormatException($"OLLM_HOST_QUOTAS entry '{entry}' is not type=count");
            quotas[parts[0]] = count;
        }
        return quotas;
    }
}
