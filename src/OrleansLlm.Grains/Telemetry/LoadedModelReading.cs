namespace OrleansLlm.Grains.Telemetry;

/// <summary>One loaded runner: the estimate it was placed by and what it holds (GPU plus system memory).</summary>
public sealed record LoadedModelReading(string Model, long PredictedBytes, long MeasuredBytes);
