using System.Globalization;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>
/// How busy the machine was (Linux's one-minute load average): every time here is the wall clock
/// times the speedup, so work the machine did for others shows up as simulated seconds.
/// </summary>
internal static class MachineLoad
{
    public static double? Now()
    {
        try
        {
            var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg") : null;
            return text is not null && double.TryParse(text.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
