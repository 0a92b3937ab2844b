namespace OrleansLlm.Abstractions.Models;

/// <summary>One message of a chat: role (system, user, assistant, tool) and content.</summary>
[GenerateSerializer, Immutable, Alias("ollm.ChatMessage")]
public sealed record ChatMessage([property: Id(0)] string Role, [property: Id(1)] string Content);
