using System.Text;
using OllamaSharp;
using OllamaSharp.Models;
using OllamaSharp.Models.Chat;

namespace OrleansLlm.Server.Tests;

/// <summary>OllamaSharp, a real third-party .NET Ollama client, against the server with no change but the URL.</summary>
public sealed class OllamaSharpTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private OllamaApiClient Client => new(server.Http);

    [Fact]
    public async Task OllamaSharp_generates_streaming()
    {
        var text = new StringBuilder();
        GenerateDoneResponseStream? done = null;
        await foreach (var chunk in Client.GenerateAsync(new GenerateRequest { Model = "demo", Prompt = "hello", Options = new RequestOptions { NumPredict = 6, Seed = 5 } }))
        {
            text.Append(chunk?.Response);
            if (chunk is GenerateDoneResponseStream final)
                done = final;
        }

        Assert.NotNull(done);
        Assert.True(done.EvalCount is > 0 and <= 6);
        Assert.False(string.IsNullOrEmpty(text.ToString()));
    }

    [Fact]
    public async Task OllamaSharp_chats()
    {
        var reply = new StringBuilder();
        await foreach (var chunk in Client.ChatAsync(new ChatRequest
        {
            Model = "demo",
            Messages = [new Message(ChatRole.User, "hi")],
            Options = new RequestOptions { NumPredict = 8, Seed = 1, Temperature = 0 },
        }))
        {
            reply.Append(chunk?.Message.Content);
            if (chunk?.Done == true)
                Assert.Equal(ChatRole.Assistant, chunk.Message.Role);
        }

        Assert.False(string.IsNullOrEmpty(reply.ToString()));
    }

    [Fact]
    public async Task OllamaSharp_embeds_and_lists_models()
    {
        var embedded = await Client.EmbedAsync(new EmbedRequest { Model = "demo", Input = ["one", "two"] });
        var models = await Client.ListLocalModelsAsync();

        Assert.Equal(2, embedded.Embeddings.Count);
        Assert.Contains(models, m => m.Name == "demo:latest");
    }
}
