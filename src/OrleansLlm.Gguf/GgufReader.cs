using System.Globalization;
using OrleansLlm.Gguf.Reading;

namespace OrleansLlm.Gguf;

/// <summary>
/// Reads a GGUF v2/v3 header — metadata, tensor table, data offset — and validates it against
/// the file, so that nothing downstream ever sees an impossible tensor. Any malformation raises
/// one <see cref="GgufFormatException"/> naming the byte offset and the reason.
/// </summary>
public static class GgufReader
{
    /// <summary>"GGUF" read as a little-endian u32.</summary>
    public const uint Magic = 0x46554747;

    /// <summary>ggml's GGML_MAX_DIMS.</summary>
    public const int MaxDimensions = 4;

    /// <summary>ggml's GGML_MAX_NAME less the terminating NUL.</summary>
    public const int MaxTensorNameLength = 63;

    public const int DefaultAlignment = 32;

    private const string AlignmentKey = "general.alignment";

    /// <summary>Reads the header of the GGUF file at <paramref name="path"/>.</summary>
    public static GgufFile ReadFile(string path, GgufReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= GgufReaderOptions.Default;
        using var header = new MappedHeader(path, options.MaxHeaderBytes);
        try
        {
            return Read(header.Span, header.FileLength, options);
        }
        catch (GgufFormatException e)
        {
            throw e.WithPath(path);
        }
    }

    /// <summary>Reads a GGUF header from a whole file held in memory.</summary>
    public static GgufFile Read(ReadOnlySpan<byte> file, GgufReaderOptions? options = null)
    {
        options ??= GgufReaderOptions.Default;
        var header = file[..(int)Math.Min(file.Length, options.MaxHeaderBytes)];
        return Read(header, file.Length, options);
    }

    private static GgufFile Read(ReadOnlySpan<byte> header, long fileLength, GgufReaderOptions options)
    {
        var cursor = new GgufCursor(header, fileLength, options.MaxHeaderBytes);
        var version = ReadPreamble(ref cursor, out var tensorCount, out var entryCount);

        cursor.Section = "the metadata";
        var metadata = new GgufMetadata((int)Math.Min(entryCount, 256));
        var alignment = DefaultAlignment;
        for (ulong i = 0; i < entryCount; i++)
        {
            var entryStart = cursor.Position;
            var key = cursor.ReadName(options.MaxStringLength, "metadata key");
            var typeStart = cursor.Position;
            var typeCode = cursor.ReadUInt32();
            if (!GgufValueTypes.IsDefined(typeCode))
                throw cursor.Error(typeStart, $"unknown value type {typeCode} for metadata key '{key}'");
            var value = GgufValueReader.Read(ref cursor, options, (GgufValueType)typeCode, depth: 0);
            if (!metadata.TryAdd(key, value))
                throw cursor.Error(entryStart, $"duplicate metadata key '{key}'");
            if (key == AlignmentKey)
                alignment = ValidateAlignment(in cursor, typeStart, value);
        }

        cursor.Section = "the tensor table";
        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 4096));
        var tensorStarts = new List<long>(tensors.Capacity);
        var names = new HashSet<string>(tensors.Capacity, StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            var start = cursor.Position;
            var tensor = ReadTensorInfo(ref cursor, options);
            if (!names.Add(tensor.Name))
                throw cursor.Error(start, $"duplicate tensor name '{tensor.Name}'");
            tensors.Add(tensor);
            tensorStarts.Add(start);
        }

        var dataOffset = AlignUp(cursor.Position, alignment);
        ValidateTensorData(in cursor, tensors, tensorStarts, alignment, dataOffset, fileLength);
        return new GgufFile(version, alignment, metadata, tensors, dataOffset, fileLength);
    }

    private static int ReadPreamble(ref GgufCursor cursor, out ulong tensorCount, out ulong entryCount)
    {
        cursor.Section = "the file header";
        if (cursor.Remaining < 4)
            throw cursor.Error(0, $"not a GGUF file: {cursor.Remaining} bytes long, too short for the magic number");
        var magic = cursor.ReadUInt32();
        if (magic != Magic)
            throw cursor.Error(0, $"not a GGUF file: magic bytes are 0x{magic:x8}, expected 'GGUF' (0x{Magic:x8})");
        var version = cursor.ReadUInt32();
        switch (version)
        {
            case 2 or 3:
                break;
            case 1:
                throw cursor.Error(4, "GGUF version 1 is not supported (only versions 2 and 3)");
            case 0x02000000 or 0x03000000:
                throw cursor.Error(4, "big-endian GGUF files are not supported");
            default:
                throw cursor.Error(4, $"unsupported GGUF version {version} (only versions 2 and 3)");
        }
        tensorCount = cursor.ReadUInt64();
        entryCount = cursor.ReadUInt64();

        // Each entry and tensor takes a minimum number of bytes; a count the file cannot hold is
        // rejected here, before any list is sized by it.
        const int minEntryBytes = 8 + 4 + 1;
        const int minTensorBytes = 8 + 4 + 4 + 8;
        var room = (ulong)cursor.Remaining;
        if (entryCount > room / minEntryBytes)
            throw cursor.Error(16, $"header declares {entryCount} metadata entries but only {room} bytes follow");
        if (tensorCount > (room - (entryCount * minEntryBytes)) / minTensorBytes)
            throw cursor.Error(8, $"header declares {tensorCount} tensors but only {room} bytes follow");
        return (int)version;
    }

    private static GgufTensorInfo ReadTensorInfo(ref GgufCursor cursor, GgufReaderOptions options)
    {
        var start = cursor.Position;
        var name = cursor.ReadName(options.MaxStringLength, "tensor name");
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxTensorNameLength)
            throw cursor.Error(start, $"tensor name '{name[..Math.Min(name.Length, 80)]}' is longer than {MaxTensorNameLength} bytes");
        var dimensionCount = cursor.ReadUInt32();
        if (dimensionCount > MaxDimensions)
            throw cursor.Error(cursor.Position - 4, $"tensor '{name}' has {dimensionCount} dimensions, more than {MaxDimensions}");
        Span<long> dimensions = stackalloc long[(int)dimensionCount];
        long elements = 1;
        for (var d = 0; d < dimensions.Length; d++)
        {
            var dimensionStart = cursor.Position;
            var size = cursor.ReadUInt64();
            if (size > long.MaxValue)
                throw cursor.Error(dimensionStart, $"dimension {d} of tensor '{name}' is {size}, which is negative as ggml reads it");
            dimensions[d] = (long)size;
            if (size != 0 && elements > long.MaxValue / (long)size)
                throw cursor.Error(dimensionStart, $"tensor '{name}' has more elements than a 64-bit count can hold");
            elements *= (long)size;
        }
        var typeStart = cursor.Position;
        var typeCode = cursor.ReadUInt32();
        if (!GgmlTypeTraits.IsKnown(typeCode))
            throw cursor.Error(typeStart, $"tensor '{name}' has unknown ggml type {typeCode}");
        var type = (GgmlType)typeCode;
        var blockSize = GgmlTypeTraits.BlockSize(type);
        if (dimensions.Length > 0 && dimensions[0] % blockSize != 0)
            throw cursor.Error(typeStart, $"tensor '{name}' has rows of {dimensions[0]} elements, not a multiple of the {type} block size {blockSize}");
        if (GgmlTypeTraits.ByteSize(type, elements) is null)
            throw cursor.Error(start, $"tensor '{name}' is larger than a 64-bit byte count can hold");
        var offsetStart = cursor.Position;
        var offset = cursor.ReadUInt64();
        if (offset > long.MaxValue)
            throw cursor.Error(offsetStart, $"tensor '{name}' has data offset {offset}, beyond any file");
        return new GgufTensorInfo(name, dimensions, type, (long)offset);
    }

    private static int ValidateAlignment(in GgufCursor cursor, long offset, GgufValue value)
    {
        if (value.Type != GgufValueType.UInt32)
            throw cursor.Error(offset, $"{AlignmentKey} must be a uint32, not {value.Type}");
        var alignment = value.AsUInt32();
        if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > int.MaxValue)
            throw cursor.Error(offset, $"{AlignmentKey} is {alignment}, not a power of two");
        return (int)alignment;
    }

    private static void ValidateTensorData(in GgufCursor cursor, List<GgufTensorInfo> tensors, List<long> starts, int alignment, long dataOffset, long fileLength)
    {
        var dataLength = fileLength - dataOffset;
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (t.Offset % alignment != 0)
                throw cursor.Error(starts[i], $"tensor '{t.Name}' data offset {t.Offset} is not a multiple of the alignment {alignment}");
            if (t.ByteSize > dataLength || t.Offset > dataLength - t.ByteSize)
            {
                throw cursor.Error(starts[i], string.Create(CultureInfo.InvariantCulture,
                    $"tensor '{t.Name}' data ({t.ByteSize} bytes at data offset {t.Offset}) lies outside the file: the data section holds {Math.Max(0, dataLength)} bytes"));
            }
        }

        // Sorted by offset, each tensor must end before the next begins.
        var order = Enumerable.Range(0, tensors.Count).OrderBy(i => tensors[i].Offset).ToArray();
        for (var k = 1; k < order.Length; k++)
        {
            GgufTensorInfo previous = tensors[order[k - 1]], current = tensors[order[k]];
            if (previous.Offset + previous.ByteSize > current.Offset)
                throw cursor.Error(starts[order[k]], $"tensor '{current.Name}' data at offset {current.Offset} overlaps tensor '{previous.Name}' ({previous.ByteSize} bytes at offset {previous.Offset})");
        }
    }

    internal static long AlignUp(long offset, int alignment) => (offset + alignment - 1) / alignment * alignment;
}
