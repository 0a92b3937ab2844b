using OrleansLlm.Gguf.Writing;

namespace OrleansLlm.Gguf.Tests;

public class GgufRoundTripTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Version_2_and_3_files_both_read(int version)
    {
        var writer = new GgufWriter(version).Add("general.architecture", "llama");
        writer.AddTensor("t", GgmlType.F32, [4], s => s.Write(new byte[16]));

        var file = GgufReader.Read(writer.ToBytes());

        Assert.Equal(version, file.Version);
        Assert.Equal("llama", file.Architecture.Name);
        Assert.Single(file.Tensors);
    }

    [Fact]
    public void Reading_what_the_writer_wrote_gives_back_every_entry_and_tensor_exactly()
    {
        var original = GgufReader.Read(TestFiles.EveryValueTypeFile(), GgufReaderOptions.LoadAllArrays);

        // Write it again from what was read, and read that.
        var writer = new GgufWriter(original.Version);
        foreach (var (key, value) in original.Metadata)
            writer.Add(key, value);
        foreach (var t in original.Tensors)
            writer.AddTensor(t.Name, t.Type, t.Dimensions.ToArray());
        var again = GgufReader.Read(writer.ToBytes(), GgufReaderOptions.LoadAllArrays);

        Assert.Equal(original.Metadata.Keys, again.Metadata.Keys);
        foreach (var (key, value) in original.Metadata)
            Assert.Equal(value, again.Metadata[key]);
        Assert.Equal(original.Tensors.Select(Describe), again.Tensors.Select(Describe));
        Assert.Equal(original.DataOffset, again.DataOffset);
        Assert.Equal(original.FileLength, again.FileLength);
    }

    [Fact]
    public void Tensor_data_is_aligned_to_the_files_alignment()
    {
        var writer = new GgufWriter().Add("general.alignment", 64u);
        writer.AddTensor("a", GgmlType.F32, [3], s => s.Write(new byte[12]));
        writer.AddTensor("b", GgmlType.F16, [5], s => s.Write(new byte[10]));
        writer.AddTensor("c", GgmlType.Q4_0, [32], s => s.Write(new byte[18]));

        var file = GgufReader.Read(writer.ToBytes());

        Assert.Equal(64, file.Alignment);
        Assert.Equal(0, file.DataOffset % 64);
        Assert.Equal([0L, 64L, 128L], file.Tensors.Select(t => t.Offset));
        Assert.Equal(file.DataOffset + 192, file.FileLength);
    }

    [Fact]
    public void Tensor_bytes_are_where_the_table_says()
    {
        var payload = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var writer = new GgufWriter();
        writer.AddTensor("first", GgmlType.I8, [7], s => s.Write(new byte[7]));
        writer.AddTensor("second", GgmlType.I8, [16], s => s.Write(payload));
        var bytes = writer.ToBytes();

        var file = GgufReader.Read(bytes);
        var second = file.Tensors[1];

        Assert.Equal(payload, bytes.AsSpan((int)(file.DataOffset + second.Offset), 16).ToArray());
    }

    [Fact]
    public void A_file_on_disk_reads_like_the_same_bytes_in_memory()
    {
        using var dir = TestFiles.CreateDirectory();
        var bytes = TestFiles.EveryValueTypeFile();
        var path = dir.File("x.gguf");
        File.WriteAllBytes(path, bytes);

        var fromDisk = GgufReader.ReadFile(path);
        var fromMemory = GgufReader.Read(bytes);

        Assert.Equal(fromMemory.Metadata.Keys, fromDisk.Metadata.Keys);
        Assert.Equal(fromMemory.Tensors.Select(Describe), fromDisk.Tensors.Select(Describe));
    }

    [Fact]
    public void The_writer_refuses_a_tensor_callback_that_writes_the_wrong_size()
    {
        var writer = new GgufWriter();
        writer.AddTensor("t", GgmlType.F32, [4], s => s.Write(new byte[15]));

        var error = Assert.Throws<InvalidOperationException>(() => writer.ToBytes());
        Assert.Contains("'t' wrote 15 bytes, expected 16", error.Message);
    }

    private static string Describe(GgufTensorInfo t) => t.ToString();
}
