using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OrleansLlm.Abstractions.Catalog;
using ModelClient = OrleansLlm.Abstractions.Models.ModelClient;
using OrleansLlm.Client;

namespace OrleansLlm.Server.Tests;

/// <summary>The .NET client library's IChatClient, calling the grains directly (no HTTP) in a process that joined the cluster.</summary>
public sealed class ChatClientTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private (IChatClient Chat, IEmbeddingGenerator<string, Embedding<float>> Embed) Clients()
    {
        var options = new OrleansLlmClientOptions { ModelsRoot = server.ModelsRoot, DefaultModel = "demo" };
        var models = new ModelClient(server.Services.GetRequiredService<IGrainFactory>(), 16);
        var catalog = new ModelCatalog(server.ModelsRoot);
        return (new OrleansLlmChatClient(models, catalog, options), new OrleansLlmEmbeddingGenerator(models, catalog, options));
    }

    [Fact]
    public async Task IChatClient_answers_and_reports_usage()
    {
        var (chat, _) = Clients();

        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 5, Seed = 4 });

        Assert.False(string.IsNullOrEmpty(response.Text));
        Assert.True(response.Usage!.OutputTokenCount is > 0 and <= 5);
    }

    [Fact]
    public async Task IChatClient_cancelled_mid_stream_throws_and_the_next_chat_gets_the_same_answer_as_before()
    {
        var (chat, _) = Clients();
        var greedy = new ChatOptions { ModelId = "slow", MaxOutputTokens = 12, Temperature = 0, Seed = 6 };
        var before = (await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi there")], greedy)).Text;
        using var cancel = new CancellationTokenSource();
        var updates = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "slow", MaxOutputTokens = 100_000 }, cancel.Token))
            {
                if (++updates == 3)
                    await cancel.CancelAsync();
            }
        });

        Assert.True(updates >= 3);
        Assert.False(string.IsNullOrEmpty(before));
        Assert.Equal(before, (await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi there")], greedy)).Text);
    }

    [Fact]
    public async Task IEmbeddingGenerator_embeds()
    {
        var (_, embed) = Clients();

        var vectors = await embed.GenerateAsync(["one", "two", "three"]);

        Assert.Equal(3, vectors.Count);
        Assert.All(vectors, v => Assert.Equal(64, v.Vector.Length));
    }
}
