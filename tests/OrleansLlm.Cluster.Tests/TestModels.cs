using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Real-shaped GGUF files (complete headers, sparse data) in one directory per test run; sizes
/// as the estimator sees them at the default 2048 context.
/// </summary>
internal static class TestModels
{
    private static readonly string Directory = CreateDirectory();

    /// <summary>About 1.5 GiB (Llama 3.2 1B Q8_0).</summary>
    public static string Small(string name) => Write(name, ShapedModelSpec.Llama3_2_1B_Q8_0);

    /// <summary>About 5 GiB (Llama 3 8B Q4_K_M with a small vocabulary).</summary>
    public static string Medium(string name) => Write(name, ShapedModelSpec.Llama3_8B_Q4_K_M);

    /// <summary>About 14 GiB (Llama 3 8B F16 with a small vocabulary): one 24 GiB GPU, or two 12 GiB ones.</summary>
    public static string Large(string name) => Write(name, ShapedModelSpec.Llama3_8B_F16);

    /// <summary>About 40 GiB (Llama 3 70B Q4_K_M).</summary>
    public static string Huge(string name) => Write(name, ShapedModelSpec.Llama3_70B_Q4_K_M);

    /// <summary>About 140 GB (Llama 3 70B in F16): fits no silo of any test cluster.</summary>
    public static string Enormous(string name) => Write(name, ShapedModelSpec.Llama3_70B_Q4_K_M with { FileType = Gguf.GgufFileTypes.MostlyF16 });

    private static string Write(string name, ShapedModelSpec spec)
    {
        var path = Path.Combine(Directory, name + ".gguf");
        lock (Directory)
        {
            if (!File.Exists(path))
                ShapedModel.Write(path, spec with { Name = name, VocabSize = 2000, MergeCount = 0 });
        }
        return path;
    }

    private static string CreateDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "ollm-cluster-models-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp cleaner: the files are sparse, a few MiB on disk.
            }
        };
        return path;
    }
}
