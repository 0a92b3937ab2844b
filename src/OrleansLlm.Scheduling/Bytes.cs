using System.Globalization;

namespace OrleansLlm.Scheduling;

/// <summary>Byte counts as people read and write them: <c>24GiB</c>, <c>1.5 GiB</c>, <c>300MB</c>.</summary>
public static class Bytes
{
    public const long KiB = 1024;
    public const long MiB = 1024 * KiB;
    public const long GiB = 1024 * MiB;
    public const long TiB = 1024 * GiB;

    private static readonly (string Suffix, long Scale)[] Suffixes =
    [
        ("TiB", TiB), ("GiB", GiB), ("MiB", MiB), ("KiB", KiB),
        ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("kB", 1_000),
        ("T", TiB), ("G", GiB), ("M", MiB), ("K", KiB), ("B", 1),
    ];

    /// <summary>Parses a size with an optional binary (GiB) or decimal (GB) unit; a bare number is bytes.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var s = text.Trim();
        var scale = 1L;
        foreach (var (suffix, factor) in Suffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                s = s[..^suffix.Length].TrimEnd();
                scale = factor;
                break;
            }
        }
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return false;
        var value = number * scale;
        if (value > long.MaxValue)
            return false;
        bytes = (long)value;
        return true;
    }

    /// <summary>Formats with a binary unit: <c>4.6 GiB</c>, <c>457 MiB</c>.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= TiB => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)TiB:0.#} TiB"),
        >= GiB => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)GiB:0.#} GiB"),
        >= MiB => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)MiB:0.#} MiB"),
        >= KiB => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)KiB:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
