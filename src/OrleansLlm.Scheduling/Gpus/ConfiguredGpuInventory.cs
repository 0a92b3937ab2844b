using System.Globalization;

namespace OrleansLlm.Scheduling.Gpus;

/// <summary>
/// A GPU inventory from configuration (<c>OLLM_GPUS</c>) instead of discovery, for tests, demos
/// and capacity planning on machines without the GPUs: <c>cuda:24GiB,cuda:24GiB</c>,
/// <c>cuda:80GiB@free=60GiB</c>, <c>2x24GiB</c> (library defaults to cuda), <c>rocm:16GiB</c>.
/// </summary>
public sealed class ConfiguredGpuInventory(IReadOnlyList<GpuInfo> gpus, SystemMemoryReader? memory = null) : IGpuInventory
{
    private readonly SystemMemoryReader _memory = memory ?? new SystemMemoryReader();

    public string Source => "OLLM_GPUS";

    public bool ReportsLiveFreeMemory => false;

    public IReadOnlyList<GpuInfo> Gpus { get; } = gpus;

    public IReadOnlyList<GpuInfo> GetGpus() => Gpus;

    public SystemMemory GetSystemMemory() => _memory.Read();

    public static ConfiguredGpuInventory Parse(string spec, SystemMemoryReader? memory = null) => new(ParseGpus(spec), memory);

    /// <summary>Parses an <c>OLLM_GPUS</c> value; an empty value is a host with no GPUs.</summary>
    /// <exception cref="FormatException">An entry is not <c>[Nx][library:]size[@free=size]</c>.</exception>
    public static IReadOnlyList<GpuInfo> ParseGpus(string? spec)
    {
        var gpus = new List<GpuInfo>();
        if (string.IsNullOrWhiteSpace(spec))
            return gpus;
        foreach (var rawEntry in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var entry = rawEntry;
            var count = 1;
            var x = entry.IndexOf('x', StringComparison.OrdinalIgnoreCase);
            if (x > 0 && int.TryParse(entry[..x], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                if (n is < 1 or > 1024)
                    throw new FormatException($"OLLM_GPUS entry '{rawEntry}': a count must be 1 to 1024");
                count = n;
                entry = entry[(x + 1)..];
            }
            var library = GpuLibraries.Cuda;
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                library = entry[..colon].Trim().ToLowerInvariant();
                entry = entry[(colon + 1)..];
                if (library is not (GpuLibraries.Cuda or GpuLibraries.Rocm or GpuLibraries.Metal or GpuLibraries.OneApi))
                    throw new FormatException($"OLLM_GPUS entry '{rawEntry}': unknown library '{library}' (cuda, rocm, metal or oneapi)");
            }
            string? freeText = null;
            var at = entry.IndexOf('@', StringComparison.Ordinal);
            if (at >= 0)
            {
                var option = entry[(at + 1)..].Trim();
                if (!option.StartsWith("free=", StringComparison.Ordinal))
                    throw new FormatException($"OLLM_GPUS entry '{rawEntry}': expected '@free=SIZE' after the size");
                freeText = option["free=".Length..];
                entry = entry[..at];
            }
            if (!Bytes.TryParse(entry, out var total) || total <= 0)
                throw new FormatException($"OLLM_GPUS entry '{rawEntry}': '{entry}' is not a memory size such as 24GiB");
            var free = total;
            if (freeText is not null && (!Bytes.TryParse(freeText, out free) || free < 0 || free > total))
                throw new FormatException($"OLLM_GPUS entry '{rawEntry}': free memory '{freeText}' must be a size no larger than the total");
            for (var i = 0; i < count; i++)
            {
                var index = gpus.Count;
                gpus.Add(new GpuInfo
                {
                    Id = index.ToString(CultureInfo.InvariantCulture),
                    Index = index,
                    Library = library,
                    TotalMemory = total,
                    FreeMemory = free,
                    MinimumMemory = GpuLibraries.MinimumMemory(library),
                    Name = $"configured {library} GPU {index} ({Bytes.Format(total)})",
                });
            }
        }
        return gpus;
    }
}
