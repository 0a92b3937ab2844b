using System.Diagnostics;
using System.Runtime.InteropServices;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>
/// The NVML binding against a fake <c>libnvidia-ml.so.1</c> built from C with gcc (installed by
/// .ci/run): enumeration, memory through the v2 struct, names, UUIDs, CUDA_VISIBLE_DEVICES.
/// </summary>
public sealed class NvmlInventoryTests : IClassFixture<FakeNvmlLibrary>
{
    private const long GiB = 1L << 30;
    private readonly FakeNvmlLibrary _fake;

    public NvmlInventoryTests(FakeNvmlLibrary fake) => _fake = fake;

    [Fact]
    public void Gpus_are_listed_with_name_uuid_total_and_free_memory()
    {
        _fake.Configure("NVIDIA H100 80GB HBM3|GPU-aaaa-1111|85899345920|64424509440;NVIDIA L4|GPU-bbbb-2222|24159191040|24000000000");
        using var inventory = new NvmlGpuInventory(_fake.Path);

        var gpus = inventory.GetGpus();

        Assert.True(inventory.IsAvailable);
        Assert.Equal("555.42.06", inventory.DriverVersion);
        Assert.Equal(2, gpus.Count);
        Assert.Equal("NVIDIA H100 80GB HBM3", gpus[0].Name);
        Assert.Equal("GPU-aaaa-1111", gpus[0].Id);
        Assert.Equal(80 * GiB, gpus[0].TotalMemory);
        Assert.Equal(60 * GiB, gpus[0].FreeMemory);
        Assert.Equal(GpuLibraries.Cuda, gpus[1].Library);
        Assert.Equal(1, gpus[1].Index);
        Assert.Equal(457L << 20, gpus[1].MinimumMemory);
    }

    [Fact]
    public void Memory_is_read_through_the_versioned_v2_struct()
    {
        _fake.Configure("GPU|GPU-1|1000|500");
        using var inventory = new NvmlGpuInventory(_fake.Path);

        inventory.GetGpus();

        Assert.True(_fake.V2Calls() > 0, "nvmlDeviceGetMemoryInfo_v2 was not called with the right version word");
    }

    [Theory]
    [InlineData("1", new[] { "GPU-b" })]
    [InlineData("2,0", new[] { "GPU-c", "GPU-a" })]
    [InlineData("GPU-c", new[] { "GPU-c" })]
    [InlineData("0,7,1", new[] { "GPU-a" })]
    [InlineData("", new string[0])]
    public void Cuda_visible_devices_selects_and_orders_gpus_as_cuda_does(string visible, string[] expected)
    {
        _fake.Configure("A|GPU-a|100|100;B|GPU-b|200|200;C|GPU-c|300|300");
        using var inventory = new NvmlGpuInventory(_fake.Path, visibleDevices: visible);

        Assert.Equal(expected, inventory.GetGpus().Select(g => g.Id));
    }

    [Fact]
    public void A_driver_that_fails_to_initialise_means_no_gpus_and_says_why()
    {
        _fake.Configure("A|GPU-a|100|100", failInit: true);
        using var inventory = new NvmlGpuInventory(_fake.Path);

        Assert.False(inventory.IsAvailable);
        Assert.Empty(inventory.GetGpus());
        Assert.Contains("Driver Not Loaded", inventory.UnavailableReason);
    }

    [Fact]
    public void Without_the_library_there_are_no_gpus_and_no_exception()
    {
        using var inventory = new NvmlGpuInventory("/nonexistent/libnvidia-ml.so.1");

        Assert.False(inventory.IsAvailable);
        Assert.Empty(inventory.GetGpus());
        Assert.Contains("not found", inventory.Source);
        Assert.True(inventory.GetSystemMemory().Total > 0);
    }
}

/// <summary>Builds the fake NVML once per test class and exposes its configuration hook.</summary>
public sealed unsafe class FakeNvmlLibrary : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ollm-nvml-" + Guid.NewGuid().ToString("N"));
    private readonly nint _handle;
    private readonly delegate* unmanaged<byte*, int, int> _configure;
    private readonly delegate* unmanaged<int> _v2Calls;

    public FakeNvmlLibrary()
    {
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, "libnvidia-ml.so.1");
        var source = System.IO.Path.Combine(AppContext.BaseDirectory, "FakeNvml", "fake_nvml.c");
        using (var gcc = Process.Start(new ProcessStartInfo("gcc", ["-shared", "-fPIC", "-O1", "-o", Path, source]) { RedirectStandardError = true })!)
        {
            var errors = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
                throw new InvalidOperationException($"gcc could not build the fake NVML: {errors}");
        }
        // The inventory loads the same path, so dlopen hands both the same library and its state.
        _handle = NativeLibrary.Load(Path);
        _configure = (delegate* unmanaged<byte*, int, int>)NativeLibrary.GetExport(_handle, "fake_nvml_configure");
        _v2Calls = (delegate* unmanaged<int>)NativeLibrary.GetExport(_handle, "fake_nvml_v2_calls");
    }

    public string Path { get; }

    public void Configure(string spec, bool failInit = false)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(spec + "\0");
        fixed (byte* p = bytes)
            _configure(p, failInit ? 1 : 0);
    }

    public int V2Calls() => _v2Calls();

    public void Dispose()
    {
        NativeLibrary.Free(_handle);
        Directory.Delete(_directory, recursive: true);
    }
}
