namespace OrleansLlm.Gguf.Tests;

public class GgufMalformedFileTests
{
    private const uint StringType = (uint)GgufValueType.String;
    private const uint ArrayType = (uint)GgufValueType.Array;

    [Fact]
    public void An_empty_file_is_not_a_gguf_file()
    {
        var error = Reject([]);
        Assert.Equal(0, error.Offset);
        Assert.Contains("not a GGUF file", error.Reason);
    }

    [Fact]
    public void An_empty_file_on_disk_is_not_a_gguf_file()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("empty.gguf");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.ReadFile(path));
        Assert.Contains("not a GGUF file", error.Reason);
    }

    [Fact]
    public void Bad_magic_is_rejected_at_byte_0()
    {
        var bytes = RawGguf.Header().ToArray();
        bytes[0] = (byte)'X';
        var error = Reject(bytes);
        Assert.Equal(0, error.Offset);
        Assert.Contains("magic", error.Reason);
    }

    [Theory]
    [InlineData(0u, "unsupported GGUF version 0")]
    [InlineData(1u, "version 1 is not supported")]
    [InlineData(4u, "unsupported GGUF version 4")]
    [InlineData(0x03000000u, "big-endian")]
    public void Unsupported_versions_are_rejected_at_byte_4(uint version, string reason)
    {
        var error = Reject(RawGguf.Header(version).ToArray());
        Assert.Equal(4, error.Offset);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void A_file_truncated_inside_the_metadata_says_where_it_ended()
    {
        // The second entry's u64 value is cut after 4 of its 8 bytes.
        var truncated = RawGguf.Header(entries: 2).KvU32("a", 1).Str("b").U32((uint)GgufValueType.UInt64).U32(5).ToArray();

        var error = Reject(truncated);
        Assert.Equal(54, error.Offset);
        Assert.Contains("unexpected end of the metadata: 8 bytes needed but only 4 remain", error.Reason);
    }

    [Fact]
    public void A_metadata_key_that_is_not_valid_utf8_is_malformed_and_says_where()
    {
        // "gen" then a lone continuation byte: Ollama's clients would show a mangled key.
        var bytes = RawGguf.Header(entries: 1).U64(4).Bytes([(byte)'g', (byte)'e', (byte)'n', 0x80]).U32((uint)GgufValueType.UInt32).U32(1).ToArray();

        var error = Reject(bytes);

        Assert.Equal(24, error.Offset);
        Assert.Contains("metadata key is not valid UTF-8 (byte 3 of 4)", error.Reason);
    }

    [Fact]
    public void A_tensor_name_that_is_not_valid_utf8_is_malformed()
    {
        var bytes = RawGguf.Header(tensors: 1).U64(2).Bytes([0xC3, 0x28]).U32(1).U64(8).U32((uint)GgmlType.F32).U64(0).ToArray();

        Assert.Contains("tensor name is not valid UTF-8", Reject(bytes).Reason);
    }

    [Fact]
    public void A_file_truncated_inside_the_tensor_table_says_so()
    {
        var bytes = RawGguf.Header(tensors: 1).Str("token_embd.weight").U32(2).U64(8).ToArray();
        var error = Reject(bytes);
        Assert.Contains("end of the tensor table", error.Reason);
    }

    [Fact]
    public void A_string_value_longer_than_the_rest_of_the_file_is_rejected_before_allocating()
    {
        var bytes = RawGguf.Header(entries: 1).Str("key").U32(StringType).U64(1_000_000).Bytes("abc"u8).ToArray();
        var error = Reject(bytes);
        Assert.Equal(39, error.Offset);
        Assert.Contains("1000000 bytes long but only 3 bytes remain", error.Reason);
    }

    [Fact]
    public void A_key_longer_than_the_rest_of_the_file_is_rejected()
    {
        var bytes = RawGguf.Header(entries: 1).U64(ulong.MaxValue).Zeros(16).ToArray();
        var error = Reject(bytes);
        Assert.Equal(24, error.Offset);
        Assert.Contains("metadata key", error.Reason);
    }

    [Fact]
    public void A_string_longer_than_the_limit_is_rejected_even_if_the_file_holds_it()
    {
        var bytes = RawGguf.Header(entries: 1).Str("key").U32(StringType).Str(new string('a', 2000)).ToArray();
        var error = Reject(bytes, new GgufReaderOptions { MaxStringLength = 1000 });
        Assert.Contains("more than the limit of 1000", error.Reason);
    }

    [Fact]
    public void An_array_longer_than_the_rest_of_the_file_is_rejected()
    {
        var bytes = RawGguf.Header(entries: 1).Str("key").U32(ArrayType).U32((uint)GgufValueType.UInt32).U64(1000).U32(1).U32(2).ToArray();
        var error = Reject(bytes);
        Assert.Equal(39, error.Offset);
        Assert.Contains("1000 UInt32 elements, which need at least 4000 bytes but only 8 remain", error.Reason);
    }

    [Theory]
    [InlineData(GgufValueType.String)]
    [InlineData(GgufValueType.UInt8)]
    [InlineData(GgufValueType.Array)]
    public void An_absurd_array_count_fails_fast_without_allocating(GgufValueType elementType)
    {
        var bytes = RawGguf.Header(entries: 1).Str("tokenizer.ggml.tokens").U32(ArrayType).U32((uint)elementType).U64(1UL << 62).Zeros(64).ToArray();
        var error = Reject(bytes, GgufReaderOptions.LoadAllArrays);
        Assert.Contains("4611686018427387904", error.Reason);
    }

    [Fact]
    public void An_absurd_metadata_count_fails_at_the_header()
    {
        var error = Reject(RawGguf.Header(entries: 1UL << 62).Zeros(100).ToArray());
        Assert.Equal(16, error.Offset);
        Assert.Contains("metadata entries", error.Reason);
    }

    [Fact]
    public void An_absurd_tensor_count_fails_at_the_header()
    {
        var error = Reject(RawGguf.Header(tensors: ulong.MaxValue).Zeros(100).ToArray());
        Assert.Equal(8, error.Offset);
        Assert.Contains("tensors", error.Reason);
    }

    [Fact]
    public void An_unknown_value_type_names_the_key()
    {
        var bytes = RawGguf.Header(entries: 1).Str("weird").U32(13).U32(0).ToArray();
        var error = Reject(bytes);
        Assert.Equal(37, error.Offset);
        Assert.Contains("unknown value type 13 for metadata key 'weird'", error.Reason);
    }

    [Fact]
    public void An_unknown_array_element_type_is_rejected()
    {
        var bytes = RawGguf.Header(entries: 1).Str("k").U32(ArrayType).U32(99).U64(0).ToArray();
        var error = Reject(bytes);
        Assert.Contains("unknown array element type 99", error.Reason);
    }

    [Theory]
    [InlineData(99u)]
    [InlineData(4u)]
    [InlineData(31u)]
    [InlineData(43u)]
    public void An_unknown_or_removed_tensor_type_names_the_tensor(uint type)
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("blk.0.attn_q.weight", (GgmlType)type, 0, 256).Align().Zeros(1024).ToArray();
        var error = Reject(bytes);
        Assert.Contains($"tensor 'blk.0.attn_q.weight' has unknown ggml type {type}", error.Reason);
    }

    [Fact]
    public void Tensor_data_past_the_end_of_the_file_is_rejected()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("t", GgmlType.F32, 0, 1024).Align().Zeros(100).ToArray();
        var error = Reject(bytes);
        Assert.Equal(24, error.Offset);
        Assert.Contains("'t' data (4096 bytes at data offset 0) lies outside the file", error.Reason);
    }

    [Fact]
    public void A_huge_tensor_offset_is_rejected_without_overflow()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("t", GgmlType.F32, (ulong)long.MaxValue - 31, 8).Align().Zeros(32).ToArray();
        var error = Reject(bytes);
        Assert.Contains("lies outside the file", error.Reason);
    }

    [Fact]
    public void Overlapping_tensors_are_rejected()
    {
        var bytes = RawGguf.Header(tensors: 2)
            .Tensor("a", GgmlType.F32, 0, 16)
            .Tensor("b", GgmlType.F32, 32, 8)
            .Align().Zeros(128).ToArray();
        var error = Reject(bytes);
        Assert.Contains("tensor 'b' data at offset 32 overlaps tensor 'a'", error.Reason);
    }

    [Fact]
    public void A_misaligned_tensor_offset_is_rejected()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("t", GgmlType.F32, 4, 4).Align().Zeros(64).ToArray();
        var error = Reject(bytes);
        Assert.Contains("data offset 4 is not a multiple of the alignment 32", error.Reason);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(48u)]
    public void An_alignment_that_is_not_a_power_of_two_is_rejected(uint alignment)
    {
        var bytes = RawGguf.Header(entries: 1).KvU32("general.alignment", alignment).ToArray();
        var error = Reject(bytes);
        Assert.Contains($"general.alignment is {alignment}, not a power of two", error.Reason);
    }

    [Fact]
    public void An_alignment_of_the_wrong_type_is_rejected()
    {
        var bytes = RawGguf.Header(entries: 1).Str("general.alignment").U32(StringType).Str("32").ToArray();
        var error = Reject(bytes);
        Assert.Contains("must be a uint32", error.Reason);
    }

    [Fact]
    public void A_duplicate_key_is_rejected()
    {
        var bytes = RawGguf.Header(entries: 2).KvU32("a", 1).KvU32("a", 2).ToArray();
        var error = Reject(bytes);
        Assert.Equal(41, error.Offset);
        Assert.Contains("duplicate metadata key 'a'", error.Reason);
    }

    [Fact]
    public void A_duplicate_tensor_name_is_rejected()
    {
        var bytes = RawGguf.Header(tensors: 2).Tensor("t", GgmlType.F32, 0, 8).Tensor("t", GgmlType.F32, 32, 8).Align().Zeros(64).ToArray();
        var error = Reject(bytes);
        Assert.Contains("duplicate tensor name 't'", error.Reason);
    }

    [Fact]
    public void More_than_four_dimensions_are_rejected()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("t", GgmlType.F32, 0, 1, 1, 1, 1, 1).Align().Zeros(64).ToArray();
        var error = Reject(bytes);
        Assert.Contains("5 dimensions, more than 4", error.Reason);
    }

    [Fact]
    public void An_element_count_that_overflows_is_rejected()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("t", GgmlType.F32, 0, 1UL << 32, 1UL << 32).Align().Zeros(64).ToArray();
        var error = Reject(bytes);
        Assert.Contains("more elements than a 64-bit count", error.Reason);
    }

    [Fact]
    public void A_byte_size_that_overflows_is_rejected()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("t", GgmlType.F64, 0, 1UL << 61).Align().Zeros(64).ToArray();
        var error = Reject(bytes);
        Assert.Contains("larger than a 64-bit byte count", error.Reason);
    }

    [Fact]
    public void A_negative_dimension_is_rejected()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("t", GgmlType.F32, 0, ulong.MaxValue).Align().Zeros(64).ToArray();
        var error = Reject(bytes);
        Assert.Contains("negative", error.Reason);
    }

    [Fact]
    public void Rows_that_are_not_whole_blocks_are_rejected()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor("t", GgmlType.Q4_K, 0, 100, 2).Align().Zeros(512).ToArray();
        var error = Reject(bytes);
        Assert.Contains("rows of 100 elements, not a multiple of the Q4_K block size 256", error.Reason);
    }

    [Fact]
    public void A_tensor_name_longer_than_ggml_allows_is_rejected()
    {
        var bytes = RawGguf.Header(tensors: 1).Tensor(new string('n', 64), GgmlType.F32, 0, 4).Align().Zeros(64).ToArray();
        var error = Reject(bytes);
        Assert.Contains("longer than 63 bytes", error.Reason);
    }

    [Fact]
    public void Arrays_nested_too_deep_are_rejected_before_the_stack_is()
    {
        var raw = RawGguf.Header(entries: 1).Str("deep").U32(ArrayType);
        for (var i = 0; i < 10_000; i++)
            raw.U32(ArrayType).U64(1);
        raw.U32((uint)GgufValueType.UInt8).U64(0);
        var error = Reject(raw.ToArray());
        Assert.Contains("nested more than 8 deep", error.Reason);
    }

    [Fact]
    public void A_header_larger_than_the_limit_is_rejected()
    {
        var bytes = RawGguf.Header(entries: 1).Str("big").U32(StringType).Str(new string('x', 10_000)).ToArray();
        var error = Reject(bytes, new GgufReaderOptions { MaxHeaderBytes = 4096 });
        Assert.Contains("header limit of 4096 bytes", error.Reason);
    }

    [Fact]
    public void An_error_reading_a_file_names_the_file()
    {
        using var dir = TestFiles.CreateDirectory();
        var path = dir.File("broken.gguf");
        File.WriteAllBytes(path, RawGguf.Header(version: 9).ToArray());

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.ReadFile(path));
        Assert.Equal(path, error.Path);
        Assert.Contains(path, error.Message);
        Assert.Contains("at byte 4", error.Message);
    }

    private static GgufFormatException Reject(byte[] bytes, GgufReaderOptions? options = null) =>
        Assert.Throws<GgufFormatException>(() => GgufReader.Read(bytes, options));
}
