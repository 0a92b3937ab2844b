using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Scheduling.Tests;

public class GpuInventoryTests
{
    [Fact]
    public void A_configured_inventory_lists_the_gpus_it_is_given()
    {
        var gpus = ConfiguredGpuInventory.ParseGpus("cuda:24GiB, cuda:80GiB@free=60GiB, rocm:16GiB");

        Assert.Equal(["0", "1", "2"], gpus.Select(g => g.Id));
        Assert.Equal(24 * Bytes.GiB, gpus[0].TotalMemory);
        Assert.Equal(24 * Bytes.GiB, gpus[0].FreeMemory);
        Assert.Equal(60 * Bytes.GiB, gpus[1].FreeMemory);
        Assert.Equal(GpuLibraries.Rocm, gpus[2].Library);
        Assert.Equal(457 * Bytes.MiB, gpus[0].MinimumMemory);
    }

    [Fact]
    public void A_count_prefix_repeats_a_gpu_and_cuda_is_the_default_library()
    {
        var gpus = ConfiguredGpuInventory.ParseGpus("2x24GiB");

        Assert.Equal(2, gpus.Count);
        Assert.All(gpus, g => Assert.Equal(GpuLibraries.Cuda, g.Library));
        Assert.Equal([0, 1], gpus.Select(g => g.Index));
    }

    [Fact]
    public void An_empty_configuration_is_a_host_without_gpus() => Assert.Empty(ConfiguredGpuInventory.ParseGpus(""));

    [Theory]
    [InlineData("cuda:lots", "not a memory size")]
    [InlineData("tpu:16GiB", "unknown library 'tpu'")]
    [InlineData("cuda:16GiB@free=20GiB", "no larger than the total")]
    [InlineData("cuda:16GiB@used=2GiB", "expected '@free=SIZE'")]
    [InlineData("0x16GiB", "count must be 1 to 1024")]
    public void A_bad_configuration_names_the_entry_and_the_problem(string spec, string problem)
    {
        var error = Assert.Throws<FormatException>(() => ConfiguredGpuInventory.ParseGpus(spec));
        Assert.Contains("OLLM_GPUS entry", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("24GiB", 24L * 1024 * 1024 * 1024)]
    [InlineData("1.5 GiB", 1610612736L)]
    [InlineData("300MB", 300_000_000L)]
    [InlineData("512", 512L)]
    [InlineData("8G", 8L * 1024 * 1024 * 1024)]
    public void Sizes_read_as_people_write_them(string text, long bytes)
    {
        Assert.True(Bytes.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Fact]
    public void System_memory_is_capped_by_the_cgroup_v2_limit()
    {
        using var root = new FakeRoot();
        root.Write("proc/meminfo", "MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\nSwapFree:              0 kB\n");
        root.Write("proc/self/cgroup", "0::/job\n");
        root.Write("sys/fs/cgroup/job/memory.max", "8589934592\n");
        root.Write("sys/fs/cgroup/job/memory.current", "2147483648\n");

        var memory = new SystemMemoryReader(root.Path).Read();

        Assert.Equal(8 * Bytes.GiB, memory.Total);
        Assert.Equal(6 * Bytes.GiB, memory.Free);
    }

    [Fact]
    public void An_unlimited_cgroup_leaves_the_machines_memory()
    {
        using var root = new FakeRoot();
        root.Write("proc/meminfo", "MemTotal:       1000 kB\nMemAvailable:    600 kB\n");
        root.Write("proc/self/cgroup", "0::/\n");
        root.Write("sys/fs/cgroup/memory.max", "max\n");

        var memory = new SystemMemoryReader(root.Path).Read();

        Assert.Equal(1000 * 1024, memory.Total);
        Assert.Equal(600 * 1024, memory.Free);
    }

    [Fact]
    public void A_cgroup_v1_limit_applies_too()
    {
        using var root = new FakeRoot();
        root.Write("proc/meminfo", "MemTotal:       16777216 kB\nMemAvailable:   16000000 kB\n");
        root.Write("sys/fs/cgroup/memory/memory.limit_in_bytes", "4294967296\n");
        root.Write("sys/fs/cgroup/memory/memory.usage_in_bytes", "1073741824\n");

        var memory = new SystemMemoryReader(root.Path).Read();

        Assert.Equal(4 * Bytes.GiB, memory.Total);
        Assert.Equal(3 * Bytes.GiB, memory.Free);
    }

    [Fact]
    public void This_machines_memory_is_read()
    {
        var memory = new SystemMemoryReader().Read();

        Assert.True(memory.Total > 0);
        Assert.InRange(memory.Free, 1, memory.Total);
    }

    private sealed class FakeRoot : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ollm-root-" + Guid.NewGuid().ToString("N"));

        public void Write(string relative, string text)
        {
            var file = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
