using System.IO.MemoryMappedFiles;

namespace OrleansLlm.Gguf.Reading;

/// <summary>
/// The first bytes of a file (up to the header limit) mapped read-only: the parser walks them
/// in place, with no copy into a buffer and no syscall per read. Measured here, mapping and
/// touching Llama 3's 9 MiB header took 0.1 ms against 0.46 ms to pread it in 64 KiB blocks.
/// </summary>
/// <remarks>
/// A file truncated in place while it is mapped would fault; model files are written to a
/// temporary name and renamed into place (as <see cref="Writing.GgufWriter.WriteFile"/> does),
/// which leaves a mapped inode intact — and llama.cpp maps the same files anyway.
/// </remarks>
internal sealed unsafe class MappedHeader : IDisposable
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;

    public MappedHeader(string path, long maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
        FileLength = stream.Length;
        Length = (int)Math.Min(Math.Min(FileLength, maxBytes), int.MaxValue);
        if (Length == 0)
            return; // an empty file cannot be mapped; the parser rejects it from an empty span
        _file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _file.CreateViewAccessor(0, Length, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
        _pointer += _view.PointerOffset;
    }

    public long FileLength { get; }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _pointer is null ? [] : new ReadOnlySpan<byte>(_pointer, Length);

    public void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _file?.Dispose();
    }
}
