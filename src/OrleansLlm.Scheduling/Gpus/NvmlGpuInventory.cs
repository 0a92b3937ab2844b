using System.Globalization;

namespace OrleansLlm.Scheduling.Gpus;

/// <summary>
/// NVIDIA GPUs discovered through NVML, filtered and ordered by <c>CUDA_VISIBLE_DEVICES</c> as
/// the CUDA runtime would. Without the driver library there are simply no GPUs: the same binary
/// runs on CPU hosts and in CI.
/// </summary>
public sealed class NvmlGpuInventory : IGpuInventory, IDisposable
{
    public const string DefaultLibrary = "libnvidia-ml.so.1";

    private readonly NvmlLibrary? _nvml;
    private readonly string? _visibleDevices;
    private readonly SystemMemoryReader _memory;
    private readonly Lock _gate = new();

    /// <param name="libraryPath">The NVML library; the driver's by default.</param>
    /// <param name="visibleDevices"><c>CUDA_VISIBLE_DEVICES</c>: null = all; "" = none; indices or GPU-UUID prefixes.</param>
    public NvmlGpuInventory(string libraryPath = DefaultLibrary, string? visibleDevices = null, SystemMemoryReader? memory = null)
    {
        _nvml = NvmlLibrary.TryLoad(libraryPath, out var reason);
        _visibleDevices = visibleDevices;
        _memory = memory ?? new SystemMemoryReader();
        if (_nvml is null)
        {
            UnavailableReason = reason;
            Source = $"no NVML ({reason})";
        }
        else
        {
            DriverVersion = _nvml.DriverVersion();
            Source = $"NVML, driver {DriverVersion ?? "unknown"}";
        }
    }

    public string Source { get; }

    public bool IsAvailable => _nvml is not null;

    public bool ReportsLiveFreeMemory => IsAvailable;

    public string? UnavailableReason { get; }

    public string? DriverVersion { get; }

    public IReadOnlyList<GpuInfo> GetGpus()
    {
        if (_nvml is null)
            return [];
        lock (_gate)
        {
            if (_nvml.DeviceCount(out var count) != NvmlLibrary.Success)
                return [];
            var all = new List<(uint NvmlIndex, string Uuid, string Name, ulong Total, ulong Free)>();
            for (uint i = 0; i < count; i++)
            {
                if (_nvml.DeviceHandle(i, out var device) != NvmlLibrary.Success
                    || _nvml.Memory(device, out var total, out var free) != NvmlLibrary.Success)
                    continue;
                all.Add((i, _nvml.Uuid(device) ?? $"nvml-{i}", _nvml.Name(device) ?? "NVIDIA GPU", total, free));
            }
            var byIndex = all.ToDictionary(d => d.NvmlIndex);
            var gpus = new List<GpuInfo>();
            foreach (var nvmlIndex in Visible([.. all.Select(d => (d.NvmlIndex, d.Uuid))]))
            {
                var d = byIndex[nvmlIndex];
                gpus.Add(new GpuInfo
                {
                    Id = d.Uuid,
                    Index = gpus.Count,
                    Library = GpuLibraries.Cuda,
                    Name = d.Name,
                    TotalMemory = (long)Math.Min(d.Total, long.MaxValue),
                    FreeMemory = (long)Math.Min(d.Free, long.MaxValue),
                    MinimumMemory = GpuLibraries.MinimumMemory(GpuLibraries.Cuda),
                });
            }
            return gpus;
        }
    }

    public SystemMemory GetSystemMemory() => _memory.Read();

    public void Dispose() => _nvml?.Dispose();

    /// <summary>
    /// The NVML indices CUDA would expose, in <c>CUDA_VISIBLE_DEVICES</c> order. As in CUDA, an
    /// entry that names no device ends the list there.
    /// </summary>
    private List<uint> Visible((uint NvmlIndex, string Uuid)[] devices)
    {
        if (_visibleDevices is null)
            return [.. devices.Select(d => d.NvmlIndex)];
        var visible = new List<uint>();
        foreach (var entry in _visibleDevices.Split(',', StringSplitOptions.TrimEntries))
        {
            uint? match = null;
            if (int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                if (index < devices.Length)
                    match = devices[index].NvmlIndex;
            }
            else if (entry.StartsWith("GPU-", StringComparison.OrdinalIgnoreCase))
            {
                var found = devices.Where(d => d.Uuid.StartsWith(entry, StringComparison.OrdinalIgnoreCase)).ToArray();
                if (found.Length == 1)
                    match = found[0].NvmlIndex;
            }
            if (match is not { } m || visible.Contains(m))
                break;
            visible.Add(m);
        }
        return visible;
    }
}
