namespace OrleansLlm.Templates.Ollama;

/// <summary>
/// Ollama's <c>collate</c>: consecutive messages of one role merge into one (contents joined by a
/// blank line), except tool results, which keep their own names; all system messages, joined,
/// become <c>.System</c>.
/// </summary>
internal static class MessageCollation
{
    public static (string System, IReadOnlyList<TemplateMessage> Messages) Collate(IReadOnlyList<TemplateMessage> messages)
    {
        var system = new List<string>();
        var collated = new List<TemplateMessage>();
        foreach (var message in messages)
        {
            if (message.Role == "system")
                system.Add(message.Content);
            if (collated.Count > 0 && collated[^1].Role == message.Role && message.Role != "tool")
                collated[^1] = collated[^1] with { Content = collated[^1].Content + "\n\n" + message.Content };
            else
                collated.Add(message);
        }
        return (string.Join("\n\n", system), collated);
    }
}
