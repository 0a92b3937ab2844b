namespace OrleansLlm.Inference.Simulated;

/// <summary>Timings of the simulated runner: what a GPU would take, without the GPU.</summary>
public sealed class SimulatedRunnerOptions
{
    /// <summary>Bytes loaded per second (disk and PCIe); a load takes the estimate's total over this.</summary>
    public double LoadBytesPerSecond { get; set; } = 4.0 * (1L << 30);

    /// <summary>Generated tokens per second per request.</summary>
    public double TokensPerSecond { get; set; } = 100;

    /// <summary>Tokens generated when a request sets no <c>num_predict</c>.</summary>
    public int DefaultTokens { get; set; } = 16;

    /// <summary>Model paths containing any of these fail to load, with llama.cpp-like reasons (fault tests).</summary>
    public ICollection<string> FailingModels { get; } = [];
}
