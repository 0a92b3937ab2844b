using System.Globalization;
using OrleansLlm.Gguf;
using OrleansLlm.Scheduling;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Cli;

/// <summary><c>ollm plan FILE.gguf --gpus 2x24GiB</c>: where a model would go and what it would take, offline.</summary>
internal static class PlanCommand
{
    public static int Run(string file, string gpus, int context, int parallel, TextWriter output)
    {
        GgufFile model;
        try
        {
            model = GgufReader.ReadFile(file);
        }
        catch (Exception e) when (e is GgufFormatException or IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"error: {e.Message}");
            return 1;
        }
        IReadOnlyList<GpuInfo> devices;
        try
        {
            devices = ConfiguredGpuInventory.ParseGpus(gpus);
        }
        catch (FormatException e)
        {
            output.WriteLine($"error: {e.Message.Replace("OLLM_GPUS entry", "--gpus entry", StringComparison.Ordinal)}");
            return 1;
        }
        var options = RunnerAdmission.Normalize(RunnerOptions.Default with { NumCtx = context }, parallel);
        var ram = new SystemMemoryReader().Read().AsDevice();
        var decision = PlacementPlanner.Plan(model, options, new HostSnapshot(devices, ram, []));
        var arch = model.Architecture;
        output.WriteLine($"model       {Path.GetFileName(file)}: {arch.Name}, {arch.BlockCount} layers, {model.ParameterCount / 1e9:0.##} B parameters, {arch.FileTypeName}");
        output.WriteLine($"context     {options.NumCtx} tokens ({context} × {parallel} parallel)");
        if (decision.Estimate is not { } estimate)
        {
            output.WriteLine($"placement   {decision.Outcome}: {decision.Reason}");
            return decision.Outcome == PlacementOutcome.TooLarge ? 2 : 0;
        }
        output.WriteLine($"placement   {decision.Reason}");
        output.WriteLine($"layers      {estimate.Layers} of {estimate.LayersModel} on GPU");
        for (var i = 0; i < decision.Devices.Count && !decision.OnCpu; i++)
        {
            var device = decision.Devices[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  GPU {device.Id} ({device.Library}, {Bytes.Format(device.TotalMemory)}): {estimate.LayerCounts[i]} layers, {Bytes.Format(estimate.GpuSizes[i])}"));
        }
        output.WriteLine($"VRAM        {Bytes.Format(estimate.VramSize)}");
        output.WriteLine($"RAM         {Bytes.Format(estimate.RamSize)}");
        output.WriteLine($"total       {Bytes.Format(estimate.TotalSize)} (KV cache {Bytes.Format(estimate.Kv)}, graph {Bytes.Format(estimate.Graph)})");
        return 0;
    }
}
