using OrleansLlm.Gguf;

namespace OrleansLlm.ChurnBench.Workload;

/// <summary>One model of the workload: its file, its size, how popular it is, and the keep_alive its clients send.</summary>
internal sealed record BenchModel(string Name, string Path, GgufFile File, int PopularityRank, TimeSpan KeepAlive)
{
    public long Parameters => File.ParameterCount;

    public long WeightBytes => File.TensorBytes;
}
