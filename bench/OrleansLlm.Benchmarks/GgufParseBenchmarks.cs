using BenchmarkDotNet.Attributes;
using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Benchmarks;

/// <summary>
/// Parsing the header of a Llama 3 8B Q4_K_M-shaped file (128,256-token vocabulary with scores
/// and types, 280,147 merges, 291 tensors) from the page cache. Targets: under 2 ms and 256 KiB
/// with arrays skipped; under 100 ms materialising every array.
/// </summary>
[MemoryDiagnoser]
public class GgufParseBenchmarks
{
    private string _directory = "";
    private string _path = "";

    [GlobalSetup]
    public void WriteShapedFile()
    {
        _directory = Path.Combine(Path.GetTempPath(), "ollm-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "llama3-8b-q4_k_m.gguf");
        ShapedModel.Write(_path, ShapedModelSpec.Llama3_8B_Q4_K_M);
        GgufReader.ReadFile(_path, GgufReaderOptions.LoadAllArrays); // warm the page cache
    }

    [GlobalCleanup]
    public void Delete() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Description = "header + tensor table, arrays skipped")]
    public GgufFile HeaderWithArraysSkipped() => GgufReader.ReadFile(_path);

    [Benchmark(Description = "full parse, every array materialised")]
    public GgufFile FullParse() => GgufReader.ReadFile(_path, GgufReaderOptions.LoadAllArrays);
}
