using System.Globalization;
using OrleansLlm.Scheduling.Autoscaling;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Grains.Autoscaling;

/// <summary>
/// <c>OLLM_HOST_TYPES</c>: the host types of the pool, <c>name=GPUS@cost</c> separated by <c>;</c>,
/// where GPUS is written as <c>OLLM_GPUS</c> is (<c>cuda:15GiB</c>, <c>2x80GiB</c>) and cost is
/// per host-hour in any unit — e.g. <c>t4=cuda:15GiB@0.53;a100=cuda:80GiB@3.4</c>. A started host
/// gets its type's GPUS as its <c>OLLM_GPUS</c> where the provider sets it.
/// </summary>
public static class HostTypeList
{
    public static IReadOnlyList<(HostType Type, string Gpus)> Parse(string? text)
    {
        var types = new List<(HostType, string)>();
        foreach (var entry in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var at = entry.LastIndexOf('@');
            if (equals <= 0 || at < equals)
                throw new FormatException($"OLLM_HOST_TYPES entry '{entry}' is not name=GPUS@cost (e.g. t4=cuda:15GiB@0.53)");
            var name = entry[..equals].Trim();
            var gpus = entry[(equals + 1)..at].Trim();
            if (!double.TryParse(entry[(at + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var cost) || cost < 0)
                throw new FormatException($"OLLM_HOST_TYPES entry '{entry}': '{entry[(at + 1)..]}' is not a cost per hour");
            IReadOnlyList<GpuInfo> parsed;
            try
            {
                parsed = ConfiguredGpuInventory.ParseGpus(gpus);
            }
            catch (FormatException e)
            {
                throw new FormatException($"OLLM_HOST_TYPES entry '{entry}': {e.Message}", e);
            }
            if (parsed.Count == 0)
                throw new FormatException($"OLLM_HOST_TYPES entry '{entry}' names no GPU");
            if (types.Any(t => t.Item1.Name == name))
                throw new FormatException($"OLLM_HOST_TYPES names '{name}' twice");
            types.Add((new HostType(name, [.. parsed.Select(g => g.TotalMemory)], cost), gpus));
        }
        return types;
    }
}
