using OrleansLlm.Templates.GoTemplates;

namespace OrleansLlm.Templates.Ollama;

/// <summary>
/// A prompt template run the way Ollama runs it (template.go <c>Parse</c> / <c>Execute</c>):
/// <c>{{ .Response }}</c> appended when the template mentions neither <c>.Messages</c> nor
/// <c>.Response</c>; templates that range over <c>.Messages</c> see System, Messages (collated),
/// Tools, Response and Think; legacy templates run once per System/Prompt/Response turn, the
/// last turn cut at <c>.Response</c>.
/// </summary>
public sealed class OllamaTemplate
{
    private readonly GoTemplate _template;
    private readonly Lazy<Node.List> _legacyTail;

    private OllamaTemplate(GoTemplate template, IReadOnlyList<string> vars)
    {
        _template = template;
        Vars = vars;
        ToolCallTag = TemplateTree.ToolCallTag(template.Root);
        _legacyTail = new Lazy<Node.List>(() => TemplateTree.CutAfterResponse(template.Root));
    }

    public string Source => _template.Source;

    /// <summary>The identifiers the template uses, lower-cased and sorted (Ollama's <c>Vars()</c>).</summary>
    public IReadOnlyList<string> Vars { get; }

    /// <summary>Ollama's rule for the <c>tools</c> capability: the template uses <c>.Tools</c>.</summary>
    public bool SupportsTools => Vars.Contains("tools");

    /// <summary>What the model writes before tool calls (<c>&lt;tool_call&gt;</c>), or <c>{</c> for bare JSON.</summary>
    public string ToolCallTag { get; }

    /// <summary>Parses <paramref name="source"/>; a <see cref="TemplateException"/> says where and why it is not a template.</summary>
    public static OllamaTemplate Parse(string source, TemplateLimits? limits = null)
    {
        var template = GoTemplate.Parse(source, limits);
        var vars = Collect(template.Root);
        if (!vars.Contains("messages") && !vars.Contains("response"))
        {
            var pos = new Pos(1, 1);
            var response = new Node.Action(pos, new Node.Pipe(pos, [], false, [new Node.Command(pos, [new Node.Field(pos, ["Response"])])]));
            template = template.WithRoot(template.Root with { Nodes = [.. template.Root.Nodes, response] });
            vars = Collect(template.Root);
        }
        return new OllamaTemplate(template, vars);
    }

    /// <summary>Renders the prompt.</summary>
    public string Execute(TemplateValues values, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        clock ??= TimeProvider.System;
        var (system, messages) = MessageCollation.Collate(values.Messages);
        if (values.Prompt.Length > 0 && values.Suffix.Length > 0)
        {
            return _template.Execute(new Dictionary<string, object?>
            {
                ["Prompt"] = values.Prompt, ["Suffix"] = values.Suffix, ["Response"] = "", ["Think"] = values.Think,
                ["ThinkLevel"] = "", ["IsThinkSet"] = false,
            }, clock);
        }
        if (Vars.Contains("messages"))
        {
            return _template.Execute(new Dictionary<string, object?>
            {
                ["System"] = system, ["Messages"] = TemplateData.Messages(messages), ["Tools"] = TemplateData.Tools(values.Tools),
                ["Response"] = "", ["Think"] = values.Think, ["ThinkLevel"] = "", ["IsThinkSet"] = false,
            }, clock);
        }
        return ExecuteLegacy(messages, values.Think, clock);
    }

    private string ExecuteLegacy(IReadOnlyList<TemplateMessage> messages, bool think, TimeProvider clock)
    {
        var output = new System.Text.StringBuilder();
        string system = "", prompt = "", response = "";
        Dictionary<string, object?> Turn() => new()
        {
            ["System"] = system, ["Prompt"] = prompt, ["Response"] = response, ["Think"] = think, ["ThinkLevel"] = "", ["IsThinkSet"] = false,
        };
        void Execute()
        {
            output.Append(_template.Execute(Turn(), clock));
            system = prompt = response = "";
        }

        foreach (var message in messages)
        {
            switch (message.Role)
            {
                case "system":
                    if (prompt.Length > 0 || response.Length > 0)
                        Execute();
                    system = message.Content;
                    break;
                case "user":
                    if (response.Length > 0)
                        Execute();
                    prompt = message.Content;
                    break;
                case "assistant":
                    response = message.Content;
                    break;
            }
        }
        output.Append(_template.WithRoot(_legacyTail.Value).Execute(Turn(), clock));
        if (output.Length > _template.Limits.MaxOutputChars)
            throw new TemplateException(new Pos(1, 1), $"output exceeds {_template.Limits.MaxOutputChars} characters");
        return output.ToString();
    }

    private static List<string> Collect(Node.List root) =>
        [.. TemplateTree.Identifiers(root).Select(i => i.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal)];
}
