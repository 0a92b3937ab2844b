using System.Runtime.InteropServices;
using System.Text;

namespace OrleansLlm.Scheduling.Gpus;

/// <summary>
/// The NVIDIA management library (the driver's <c>libnvidia-ml.so.1</c>) bound through function
/// pointers: no GPU package is needed to build or run, and a host without the driver simply has
/// no NVML. Signatures are nvml.h's.
/// </summary>
internal sealed unsafe class NvmlLibrary : IDisposable
{
    public const int Success = 0;

    /// <summary>NVML_STRUCT_VERSION(Memory, 2): sizeof(nvmlMemory_v2_t) | 2 &lt;&lt; 24.</summary>
    public const uint MemoryV2Version = 40 | (2u << 24);

    private const int NameBufferSize = 96;    // NVML_DEVICE_NAME_V2_BUFFER_SIZE
    private const int UuidBufferSize = 96;    // NVML_DEVICE_UUID_V2_BUFFER_SIZE
    private const int DriverBufferSize = 80;  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

    private readonly nint _handle;
    private readonly delegate* unmanaged<int> _init;
    private readonly delegate* unmanaged<int> _shutdown;
    private readonly delegate* unmanaged<int, nint> _errorString;
    private readonly delegate* unmanaged<uint*, int> _deviceCount;
    private readonly delegate* unmanaged<uint, nint*, int> _deviceHandle;
    private readonly delegate* unmanaged<nint, MemoryV1*, int> _memoryV1;
    private readonly delegate* unmanaged<nint, MemoryV2*, int> _memoryV2;
    private readonly delegate* unmanaged<nint, byte*, uint, int> _name;
    private readonly delegate* unmanaged<nint, byte*, uint, int> _uuid;
    private readonly delegate* unmanaged<byte*, uint, int> _driverVersion;

    private NvmlLibrary(nint handle)
    {
        _handle = handle;
        _init = (delegate* unmanaged<int>)Export("nvmlInit_v2");
        _shutdown = (delegate* unmanaged<int>)Export("nvmlShutdown");
        _errorString = (delegate* unmanaged<int, nint>)Export("nvmlErrorString");
        _deviceCount = (delegate* unmanaged<uint*, int>)Export("nvmlDeviceGetCount_v2");
        _deviceHandle = (delegate* unmanaged<uint, nint*, int>)Export("nvmlDeviceGetHandleByIndex_v2");
        _memoryV1 = (delegate* unmanaged<nint, MemoryV1*, int>)Export("nvmlDeviceGetMemoryInfo");
        _memoryV2 = (delegate* unmanaged<nint, MemoryV2*, int>)OptionalExport("nvmlDeviceGetMemoryInfo_v2");
        _name = (delegate* unmanaged<nint, byte*, uint, int>)Export("nvmlDeviceGetName");
        _uuid = (delegate* unmanaged<nint, byte*, uint, int>)Export("nvmlDeviceGetUUID");
        _driverVersion = (delegate* unmanaged<byte*, uint, int>)Export("nvmlSystemGetDriverVersion");
    }

    /// <summary>Loads and initialises NVML; null with the reason when there is none or it fails.</summary>
    public static NvmlLibrary? TryLoad(string libraryPath, out string reason)
    {
        if (!NativeLibrary.TryLoad(libraryPath, out var handle))
        {
            reason = $"{libraryPath} not found";
            return null;
        }
        NvmlLibrary library;
        try
        {
            library = new NvmlLibrary(handle);
        }
        catch (EntryPointNotFoundException e)
        {
            NativeLibrary.Free(handle);
            reason = $"{libraryPath} lacks {e.Message}";
            return null;
        }
        var status = library._init();
        if (status != Success)
        {
            reason = $"nvmlInit_v2 failed: {library.ErrorString(status)}";
            NativeLibrary.Free(handle);
            return null;
        }
        reason = "";
        return library;
    }

    public int DeviceCount(out uint count)
    {
        uint n = 0;
        var status = _deviceCount(&n);
        count = n;
        return status;
    }

    public int DeviceHandle(uint index, out nint device)
    {
        nint d = 0;
        var status = _deviceHandle(index, &d);
        device = d;
        return status;
    }

    /// <summary>Total and free bytes; the v2 call (which counts reserved memory apart) where the driver has it.</summary>
    public int Memory(nint device, out ulong total, out ulong free)
    {
        if (_memoryV2 is not null)
        {
            var v2 = new MemoryV2 { Version = MemoryV2Version };
            var status2 = _memoryV2(device, &v2);
            if (status2 == Success)
            {
                (total, free) = (v2.Total, v2.Free);
                return status2;
            }
        }
        var v1 = default(MemoryV1);
        var status = _memoryV1(device, &v1);
        (total, free) = (v1.Total, v1.Free);
        return status;
    }

    public string? Name(nint device) => ReadString(NameBufferSize, (buffer, size) => _name(device, buffer, size));

    public string? Uuid(nint device) => ReadString(UuidBufferSize, (buffer, size) => _uuid(device, buffer, size));

    public string? DriverVersion() => ReadString(DriverBufferSize, (buffer, size) => _driverVersion(buffer, size));

    public string ErrorString(int status)
    {
        var text = _errorString(status);
        return text == 0 ? $"NVML error {status}" : Marshal.PtrToStringUTF8(text) ?? $"NVML error {status}";
    }

    public void Dispose()
    {
        _shutdown();
        NativeLibrary.Free(_handle);
    }

    private nint Export(string name) =>
        NativeLibrary.TryGetExport(_handle, name, out var address) ? address : throw new EntryPointNotFoundException(name);

    private nint OptionalExport(string name) =>
        NativeLibrary.TryGetExport(_handle, name, out var address) ? address : 0;

    private delegate int StringCall(byte* buffer, uint size);

    private static string? ReadString(int size, StringCall call)
    {
        var buffer = stackalloc byte[size];
        if (call(buffer, (uint)size) != Success)
            return null;
        var span = new ReadOnlySpan<byte>(buffer, size);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MemoryV1
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MemoryV2
    {
        public uint Version;
        public ulong Total;
        public ulong Reserved;
        public ulong Free;
        public ulong Used;
    }
}
