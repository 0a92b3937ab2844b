using OrleansLlm.Gguf.Writing;

namespace OrleansLlm.Gguf.Tests;

public class GgufArraySkippingTests
{
    [Fact]
    public void Arrays_over_the_limit_are_skipped_but_keep_their_length()
    {
        var tokens = Enumerable.Range(0, 5000).Select(i => "tok" + i).ToArray();
        var bytes = new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("tokenizer.ggml.tokens", GgufArray.Of(tokens))
            .Add("tokenizer.ggml.scores", GgufArray.Of(new float[5000]))
            .Add("small", GgufArray.Of([1, 2, 3]))
            .Add("after", 7u)
            .ToBytes();

        var file = GgufReader.Read(bytes);

        var skipped = file.Metadata["tokenizer.ggml.tokens"].AsArray();
        Assert.False(skipped.IsLoaded);
        Assert.Equal(5000, skipped.Count);
        Assert.Equal(GgufValueType.String, skipped.ElementType);
        Assert.False(file.Metadata["tokenizer.ggml.scores"].AsArray().IsLoaded);
        Assert.True(file.Metadata["small"].AsArray().IsLoaded);
        Assert.Equal(7, file.Metadata.GetInteger("after"));
        Assert.Equal(5000, file.Architecture.VocabSize);
    }

    [Fact]
    public void A_skipped_array_shows_as_null_like_ollama_shows_it()
    {
        var bytes = new GgufWriter().Add("big", GgufArray.Of(new int[2000])).ToBytes();

        var value = GgufReader.Read(bytes).Metadata["big"];

        Assert.Null(value.ToObject());
        Assert.Throws<InvalidOperationException>(() => value.AsArray().AsSpan<int>());
    }

    [Fact]
    public void Loading_all_arrays_materialises_every_element()
    {
        var tokens = Enumerable.Range(0, 5000).Select(i => "tok" + i).ToArray();
        var bytes = new GgufWriter().Add("tokenizer.ggml.tokens", GgufArray.Of(tokens)).ToBytes();

        var read = GgufReader.Read(bytes, GgufReaderOptions.LoadAllArrays).Metadata["tokenizer.ggml.tokens"].AsArray();

        Assert.True(read.IsLoaded);
        Assert.Equal(tokens, read.AsSpan<string>().ToArray());
    }

    [Fact]
    public void The_limit_is_the_callers_to_choose()
    {
        var bytes = new GgufWriter().Add("a", GgufArray.Of(new int[10])).ToBytes();

        Assert.False(GgufReader.Read(bytes, new GgufReaderOptions { ArrayLoadLimit = 9 }).Metadata["a"].AsArray().IsLoaded);
        Assert.True(GgufReader.Read(bytes, new GgufReaderOptions { ArrayLoadLimit = 10 }).Metadata["a"].AsArray().IsLoaded);
    }

    [Fact]
    public void Skipped_nested_arrays_are_walked_to_the_next_key()
    {
        var inner = Enumerable.Range(0, 3000).Select(i => GgufArray.Of(["x" + i, "y"])).ToArray();
        var bytes = new GgufWriter().Add("nested", GgufArray.Of(inner)).Add("next", "still here").ToBytes();

        var file = GgufReader.Read(bytes);

        Assert.Equal(3000, file.Metadata["nested"].AsArray().Count);
        Assert.Equal("still here", file.Metadata.GetString("next"));
    }
}
