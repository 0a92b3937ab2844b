using System.Globalization;

namespace OrleansLlm.Scheduling.Gpus;

/// <summary>
/// Reads <c>/proc/meminfo</c> and caps it by the cgroup v2 (or v1) memory limit: in a container
/// the machine's free memory is not the container's, and the OOM killer goes by the latter.
/// </summary>
public sealed class SystemMemoryReader(string root = "/")
{
    public SystemMemory Read()
    {
        var info = ReadMeminfo();
        var total = info.GetValueOrDefault("MemTotal");
        var free = info.TryGetValue("MemAvailable", out var available)
            ? available
            : info.GetValueOrDefault("MemFree") + info.GetValueOrDefault("Buffers") + info.GetValueOrDefault("Cached");
        var swapFree = info.GetValueOrDefault("SwapFree");
        if (ReadCgroupLimit() is { } limit)
        {
            total = Math.Min(total, limit.Limit);
            free = Math.Min(free, Math.Max(0, limit.Limit - limit.Usage));
        }
        return new SystemMemory(total, free, swapFree);
    }

    private Dictionary<string, long> ReadMeminfo()
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        var path = Path.Combine(root, "proc/meminfo");
        if (!File.Exists(path))
            return values;
        foreach (var line in File.ReadLines(path))
        {
            // "MemAvailable:   22871464 kB"
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                continue;
            var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                values[line[..colon]] = parts.Length > 1 && parts[1] == "kB" ? n * 1024 : n;
        }
        return values;
    }

    private (long Limit, long Usage)? ReadCgroupLimit()
    {
        // cgroup v2: the process's own group from /proc/self/cgroup ("0::/path"), else the root.
        var group = "";
        var selfCgroup = Path.Combine(root, "proc/self/cgroup");
        if (File.Exists(selfCgroup))
        {
            var line = File.ReadLines(selfCgroup).FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal));
            group = line?[3..].TrimStart('/') ?? "";
        }
        foreach (var dir in new[] { Path.Combine(root, "sys/fs/cgroup", group), Path.Combine(root, "sys/fs/cgroup") })
        {
            if (ReadNumber(Path.Combine(dir, "memory.max")) is { } max)
                return (max, ReadNumber(Path.Combine(dir, "memory.current")) ?? 0);
        }
        // cgroup v1: an unlimited group reports a huge number near 2^63.
        var v1 = Path.Combine(root, "sys/fs/cgroup/memory");
        if (ReadNumber(Path.Combine(v1, "memory.limit_in_bytes")) is { } limit && limit < (1L << 62))
            return (limit, ReadNumber(Path.Combine(v1, "memory.usage_in_bytes")) ?? 0);
        return null;
    }

    private static long? ReadNumber(string path)
    {
        if (!File.Exists(path))
            return null;
        var text = File.ReadAllText(path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null; // "max" = no limit
    }
}
