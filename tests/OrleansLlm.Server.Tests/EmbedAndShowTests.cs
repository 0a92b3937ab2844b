using System.Net;
using System.Text;
using System.Text.Json;

namespace OrleansLlm.Server.Tests;

public sealed class EmbedAndShowTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Embed_returns_one_unit_vector_per_input()
    {
        var body = await Json("/api/embed", """{"model":"demo","input":["hello world","the model"]}""");

        var embeddings = body.GetProperty("embeddings");
        Assert.Equal(2, embeddings.GetArrayLength());
        foreach (var vector in embeddings.EnumerateArray())
        {
            var values = vector.EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(64, values.Length);
            Assert.InRange(MathF.Sqrt(values.Sum(v => v * v)), 0.999f, 1.001f);
        }
    }

    [Fact]
    public async Task Legacy_embeddings_take_one_prompt_and_an_empty_one_only_loads()
    {
        var one = await Json("/api/embeddings", """{"model":"demo","prompt":"hello"}""");
        var none = await Json("/api/embeddings", """{"model":"demo","prompt":""}""");

        Assert.Equal(64, one.GetProperty("embedding").GetArrayLength());
        Assert.Equal(0, none.GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task An_input_longer_than_the_context_without_truncate_is_a_400_and_the_next_embedding_is_served()
    {
        var input = string.Join(' ', Enumerable.Repeat("the model", 200));
        var json = $$$"""{"model":"demo","input":"{{{input}}}","truncate":false,"options":{"num_ctx":64}}""";

        using var refused = await server.Http.PostAsync("/api/embed", new StringContent(json, Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("set truncate to true", error, StringComparison.Ordinal);
        var cut = await Json("/api/embed", json.Replace("\"truncate\":false", "\"truncate\":true", StringComparison.Ordinal));
        Assert.Equal(64, cut.GetProperty("embeddings")[0].GetArrayLength());
    }

    [Fact]
    public async Task Show_returns_the_gguf_metadata_with_large_arrays_as_null_unless_verbose()
    {
        var plain = await Json("/api/show", """{"model":"wide"}""");
        var verbose = await Json("/api/show", """{"model":"wide","verbose":true}""");

        var info = plain.GetProperty("model_info");
        Assert.Equal("llama", info.GetProperty("general.architecture").GetString());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("tokenizer.ggml.tokens").ValueKind);
        Assert.Equal(1500, verbose.GetProperty("model_info").GetProperty("tokenizer.ggml.tokens").GetArrayLength());
        Assert.False(info.TryGetProperty("tokenizer.chat_template", out _));
        Assert.Contains("<|im_start|>", plain.GetProperty("template").GetString(), StringComparison.Ordinal);
        Assert.Equal("completion", plain.GetProperty("capabilities")[0].GetString());
        Assert.Contains("FROM ", plain.GetProperty("modelfile").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_an_unknown_model_is_404()
    {
        using var response = await server.Http.PostAsync("/api/show", new StringContent("""{"model":"../demo"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<JsonElement> Json(string path, string json)
    {
        using var response = await server.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
