using Microsoft.Win32.SafeHandles;

namespace OrleansLlm.Gguf.Reading;

/// <summary>Positional reads from a file or a block of memory, so the cursor never seeks.</summary>
internal abstract class GgufSource : IDisposable
{
    public abstract long Length { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; 0 at the end.</summary>
    public abstract int Read(long offset, Span<byte> destination);

    public virtual void Dispose()
    {
    }

    public static GgufSource Open(string path) => new FileSource(path);

    public static GgufSource FromMemory(ReadOnlyMemory<byte> bytes) => new MemorySource(bytes);

    private sealed class FileSource : GgufSource
    {
        private readonly SafeFileHandle _handle;

        public FileSource(string path)
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            Length = RandomAccess.GetLength(_handle);
        }

        public override long Length { get; }

        // pread(2): one syscall per buffer fill, no seek, no FileStream buffer of its own.
        public override int Read(long offset, Span<byte> destination) => RandomAccess.Read(_handle, destination, offset);

        public override void Dispose() => _handle.Dispose();
    }

    private sealed class MemorySource(ReadOnlyMemory<byte> bytes) : GgufSource
    {
        public override long Length => bytes.Length;

        public override int Read(long offset, Span<byte> destination)
        {
            if (offset >= bytes.Length)
                return 0;
            var available = bytes.Span[(int)offset..];
            var count = Math.Min(available.Length, destination.Length);
            available[..count].CopyTo(destination);
            return count;
        }
    }
}
