using System.Security.Cryptography;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Gguf.Tests;

public class ModelFileCacheTests
{
    [Fact]
    public void The_header_is_read_once_per_file_version()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("m.gguf");
        DemoModel.Write(path, DemoModelOptions.Tiny);
        var cache = new ModelFileCache();

        var first = cache.Header(path);

        Assert.Same(first, cache.Header(path));
    }

    [Fact]
    public void A_file_replaced_in_place_is_read_again_header_digest_and_derived_facts()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("m.gguf");
        DemoModel.Write(path, DemoModelOptions.Tiny);
        var cache = new ModelFileCache();
        var before = (Header: cache.Header(path), Digest: cache.Digest(path), Fact: cache.Derived(path, h => new Fact(h.Metadata.Count)));

        DemoModel.Write(path, DemoModelOptions.Tiny with { Seed = 7 });
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(1)); // a copy within the same clock tick

        Assert.NotSame(before.Header, cache.Header(path));
        Assert.NotEqual(before.Digest, cache.Digest(path));
        Assert.NotSame(before.Fact, cache.Derived(path, h => new Fact(h.Metadata.Count)));
    }

    [Fact]
    public void The_digest_is_the_files_sha256_as_ollama_writes_it()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("m.gguf");
        DemoModel.Write(path, DemoModelOptions.Tiny);

        var digest = new ModelFileCache().Digest(path);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), digest);
    }

    [Fact]
    public void A_derived_fact_is_computed_once_per_version()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("m.gguf");
        DemoModel.Write(path, DemoModelOptions.Tiny);
        var cache = new ModelFileCache();
        var computed = 0;

        cache.Derived(path, h => new Fact(++computed));
        var again = cache.Derived(path, h => new Fact(++computed));

        Assert.Equal(1, computed);
        Assert.Equal(1, again.Value);
    }

    [Fact]
    public void A_missing_file_is_FileNotFound_a_broken_one_a_format_error_and_a_fixed_one_reads()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("m.gguf");
        var cache = new ModelFileCache();

        Assert.Throws<FileNotFoundException>(() => cache.Header(path));
        File.WriteAllBytes(path, [1, 2, 3, 4]);
        Assert.Throws<GgufFormatException>(() => cache.Header(path));

        // Still being copied in, say: once the file is whole, it reads.
        DemoModel.Write(path, DemoModelOptions.Tiny);
        Assert.Equal("llama", cache.Header(path).Architecture.Name);
    }

    private sealed record Fact(int Value);
}
