using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OrleansLlm.Client;

namespace OrleansLlm.Server.Tests;

/// <summary>The .NET client library's IChatClient, calling the grains directly (no HTTP) in a process that joined the cluster.</summary>
public sealed class ChatClientTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string CallSchema = """{"type":"object","properties":{"name":{"enum":["get_weather"]},"arguments":{"type":"object","properties":{"city":{"enum":["Paris"]}},"required":["city"]}},"required":["name","arguments"]}""";

    /// <summary>The clients as an app gets them: registered by <c>AddOrleansLlmClient</c>, in a process that joined the cluster.</summary>
    private (IChatClient Chat, IEmbeddingGenerator<string, Embedding<float>> Embed) Clients(Action<ChatClientBuilder>? compose = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(server.Services.GetRequiredService<IGrainFactory>());
        var builder = services.AddOrleansLlmClient(o =>
        {
            o.ModelsRoot = server.ModelsRoot;
            o.DefaultModel = "demo";
        });
        compose?.Invoke(builder);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IChatClient>(), provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
    }

    [Fact]
    public void GetService_describes_the_provider_and_the_default_model()
    {
        var (chat, _) = Clients();

        var metadata = chat.GetService<ChatClientMetadata>();

        Assert.Equal("orleansllm", metadata!.ProviderName);
        Assert.Equal("demo", metadata.DefaultModelId);
        Assert.IsType<OrleansLlmChatClient>(chat.GetService<OrleansLlmChatClient>());
    }

    [Fact]
    public async Task Instructions_are_the_conversations_system_message()
    {
        var (chat, _) = Clients();
        var greedy = new ChatOptions { MaxOutputTokens = 8, Temperature = 0, Seed = 3 };

        var withSystem = await chat.GetResponseAsync([new ChatMessage(ChatRole.System, "Answer in French."), new ChatMessage(ChatRole.User, "hi")], greedy);
        var instructed = greedy.Clone();
        instructed.Instructions = "Answer in French.";
        var withInstructions = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], instructed);
        var without = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], greedy);

        Assert.Equal(withSystem.Text, withInstructions.Text);
        Assert.NotEqual(without.Text, withInstructions.Text);
    }

    [Fact]
    public async Task UseFunctionInvocation_calls_a_dotnet_function_with_the_models_arguments_and_answers_after_its_result()
    {
        var calledWith = new List<string>();
        var weather = AIFunctionFactory.Create((string city) =>
        {
            calledWith.Add(city);
            return $"sunny in {city}";
        }, "get_weather", "The weather in a city");
        // The demo model's weights are random: a schema steers its first answer into the call (as a
        // format-constrained answer is parsed for calls); after the tool's result it answers freely.
        var (chat, _) = Clients(builder => builder.UseFunctionInvocation().Use((messages, options, next, ct) =>
            next(messages, messages.Last().Role == ChatRole.User ? Steered(options!) : options, ct)));

        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "What is the weather in Paris?")],
            new ChatOptions { Tools = [weather], Temperature = 0, Seed = 1, MaxOutputTokens = 60 });

        Assert.Equal(["Paris"], calledWith);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        var result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal("sunny in Paris", result.Result?.ToString());
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.NotEqual(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    private static ChatOptions Steered(ChatOptions options)
    {
        var steered = options.Clone();
        steered.ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse(CallSchema).RootElement);
        return steered;
    }

    [Fact]
    public async Task A_streamed_tool_call_arrives_as_function_call_content_and_finishes_with_tool_calls()
    {
        var (chat, _) = Clients();
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string city) => city, "get_weather", "The weather in a city")],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse(CallSchema).RootElement),
            Temperature = 0,
            Seed = 1,
            MaxOutputTokens = 200,
        };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "What is the weather in Paris?")], options))
            updates.Add(update);

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("Paris", call.Arguments!["city"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Tools_for_a_model_without_tool_support_are_refused_and_the_model_serves_the_next_chat()
    {
        var (chat, _) = Clients();
        var options = new ChatOptions { ModelId = "plainchat", Tools = [AIFunctionFactory.Create((string city) => city, "get_weather")], MaxOutputTokens = 3 };

        var error = await Assert.ThrowsAsync<OrleansLlm.Abstractions.Prompts.ToolsNotSupportedException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options));

        Assert.Equal("model 'plainchat' does not support tools", error.Message);
        // Served: tokens generated and a finish reason. Not the text: three sampled tokens of a
        // random-weight model may all decode to nothing (a byte of a character, a control token).
        var next = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "plainchat", MaxOutputTokens = 3 });
        Assert.InRange(next.Usage!.OutputTokenCount!.Value, 1, 3);
        Assert.NotNull(next.FinishReason);
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
