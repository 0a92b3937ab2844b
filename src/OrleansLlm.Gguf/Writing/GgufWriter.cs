using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansLlm.Gguf.Writing;

/// <summary>
/// Writes valid GGUF files: header, metadata, tensor table, aligned data. Tensor data comes from
/// callbacks so that a 170 MiB model streams to disk; a tensor without data is left as a hole,
/// which makes the multi-gigabyte "shaped" files sparse.
/// </summary>
public sealed class GgufWriter
{
    private const int DataBufferSize = 1 << 20;

    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);
    private long _dataLength;

    /// <param name="version">GGUF version to write: 3 (current) or 2 (same layout, older readers).</param>
    public GgufWriter(int version = 3)
    {
        if (version is not (2 or 3))
            throw new ArgumentOutOfRangeException(nameof(version), version, "GGUF versions 2 and 3 can be written");
        Version = version;
    }

    public int Version { get; }

    public int Alignment { get; private set; } = GgufReader.DefaultAlignment;

    /// <summary>Adds a metadata entry; <c>general.alignment</c> (a power-of-two u32) also sets the data alignment.</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_tensors.Count > 0 && key == "general.alignment")
            throw new InvalidOperationException("general.alignment must be set before tensors are added");
        if (key == "general.alignment")
        {
            var alignment = value.Type == GgufValueType.UInt32 ? value.AsUInt32() : 0;
            if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > int.MaxValue)
                throw new ArgumentException("general.alignment must be a power-of-two uint32", nameof(value));
            Alignment = (int)alignment;
        }
        if (!_keys.Add(key))
            throw new ArgumentException($"metadata key '{key}' was already added", nameof(key));
        _metadata.Add(new(key, value));
        return this;
    }

    public GgufWriter Add(string key, string value) => Add(key, GgufValue.FromString(value));

    public GgufWriter Add(string key, uint value) => Add(key, GgufValue.FromUInt32(value));

    public GgufWriter Add(string key, float value) => Add(key, GgufValue.FromFloat32(value));

    public GgufWriter Add(string key, bool value) => Add(key, GgufValue.FromBool(value));

    public GgufWriter Add(string key, GgufArray value) => Add(key, GgufValue.FromArray(value));

    /// <summary>
    /// Adds a tensor. <paramref name="writeData"/> must write exactly the tensor's byte size;
    /// null leaves the data unwritten (a sparse hole in a file, zeros in a non-seekable stream).
    /// </summary>
    public GgufTensorInfo AddTensor(string name, GgmlType type, ReadOnlySpan<long> dimensions, Action<Stream>? writeData = null)
    {
        if (!_tensorNames.Add(name))
            throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        var offset = GgufReader.AlignUp(_dataLength, Alignment);
        var info = new GgufTensorInfo(name, dimensions, type, offset);
        if (info.Dimensions.Count > 0 && info.Dimensions[0] % GgmlTypeTraits.BlockSize(type) != 0)
            throw new ArgumentException($"tensor '{name}': rows of {info.Dimensions[0]} are not a multiple of the {type} block size", nameof(dimensions));
        _tensors.Add(new PendingTensor(info, writeData));
        _dataLength = offset + info.ByteSize;
        return info;
    }

    /// <summary>Writes the file at <paramref name="path"/>, replacing it; the data section is sparse where tensors have no data.</summary>
    public void WriteFile(string path)
    {
        var temporary = path + ".partial";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 0))
            WriteTo(file);
        File.Move(temporary, path, overwrite: true);
    }

    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var start = destination.CanSeek ? destination.Position : 0;
        using var output = new BufferedStream(destination, DataBufferSize);
        WriteUInt32(output, GgufReader.Magic);
        WriteUInt32(output, (uint)Version);
        WriteUInt64(output, (ulong)_tensors.Count);
        WriteUInt64(output, (ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(output, key);
            WriteUInt32(output, (uint)value.Type);
            WriteValue(output, value);
        }
        foreach (var tensor in _tensors)
            WriteTensorInfo(output, tensor.Info);

        var headerEnd = output.Position - start;
        WriteZeros(output, GgufReader.AlignUp(headerEnd, Alignment) - headerEnd);
        var dataStart = output.Position;
        foreach (var tensor in _tensors)
        {
            Pad(output, dataStart + tensor.Info.Offset);
            if (tensor.WriteData is null)
            {
                Pad(output, dataStart + tensor.Info.Offset + tensor.Info.ByteSize);
                continue;
            }
            var before = output.Position;
            tensor.WriteData(output);
            var written = output.Position - before;
            if (written != tensor.Info.ByteSize)
                throw new InvalidOperationException($"tensor '{tensor.Info.Name}' wrote {written} bytes, expected {tensor.Info.ByteSize}");
        }
        Pad(output, dataStart + GgufReader.AlignUp(_dataLength, Alignment));
        output.Flush();
        if (destination.CanSeek && destination.Length < output.Position)
            destination.SetLength(output.Position);
    }

    internal static void WriteValue(Stream output, GgufValue value)
    {
        switch (value.Type)
        {
            case GgufValueType.String:
                WriteString(output, value.AsString());
                break;
            case GgufValueType.Array:
                WriteArray(output, value.AsArray());
                break;
            default:
                WriteScalar(output, value.Type, value.Bits);
                break;
        }
    }

    private static void WriteArray(Stream output, GgufArray array)
    {
        if (array.RawValues is not { } values)
            throw new InvalidOperationException($"cannot write a GGUF array that was not loaded ({array})");
        WriteUInt32(output, (uint)array.ElementType);
        WriteUInt64(output, (ulong)array.Count);
        switch (values)
        {
            case string[] strings:
                foreach (var s in strings)
                    WriteString(output, s);
                break;
            case GgufArray[] nested:
                foreach (var inner in nested)
                    WriteArray(output, inner);
                break;
            case bool[] bools:
                foreach (var b in bools)
                    output.WriteByte(b ? (byte)1 : (byte)0);
                break;
            default:
                if (!BitConverter.IsLittleEndian)
                    throw new PlatformNotSupportedException("GGUF writing needs a little-endian machine");
                WriteBlittable(output, values);
                break;
        }
    }

    private static void WriteBlittable(Stream output, Array values)
    {
        switch (values)
        {
            case byte[] a: output.Write(a); break;
            case sbyte[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case ushort[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case short[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case uint[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case int[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case float[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case ulong[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case long[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case double[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            default: throw new InvalidOperationException($"unexpected GGUF array storage {values.GetType()}");
        }
    }

    private static void WriteScalar(Stream output, GgufValueType type, ulong bits)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, bits);
        output.Write(bytes[..GgufValueTypes.FixedSize(type)]);
    }

    private static void WriteTensorInfo(Stream output, GgufTensorInfo info)
    {
        WriteString(output, info.Name);
        WriteUInt32(output, (uint)info.Dimensions.Count);
        foreach (var d in info.Dimensions)
            WriteUInt64(output, (ulong)d);
        WriteUInt32(output, (uint)info.Type);
        WriteUInt64(output, (ulong)info.Offset);
    }

    private static void WriteString(Stream output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteUInt64(output, (ulong)length);
        if (length <= 512)
        {
            Span<byte> bytes = stackalloc byte[length];
            Encoding.UTF8.GetBytes(value, bytes);
            output.Write(bytes);
        }
        else
        {
            output.Write(Encoding.UTF8.GetBytes(value));
        }
    }

    private static void WriteUInt32(Stream output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }

    private static void WriteUInt64(Stream output, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        output.Write(bytes);
    }

    /// <summary>Advances to <paramref name="position"/>: a seek (leaving a hole) where possible, zeros otherwise.</summary>
    private static void Pad(Stream output, long position)
    {
        var gap = position - output.Position;
        if (gap <= 0)
            return;
        if (output.CanSeek && gap > 4096)
            output.Seek(gap, SeekOrigin.Current);
        else
            WriteZeros(output, gap);
    }

    private static void WriteZeros(Stream output, long count)
    {
        Span<byte> zeros = stackalloc byte[256];
        zeros.Clear();
        while (count > 0)
        {
            var n = (int)Math.Min(count, zeros.Length);
            output.Write(zeros[..n]);
            count -= n;
        }
    }

    private sealed record PendingTensor(GgufTensorInfo Info, Action<Stream>? WriteData);
}
