using OrleansLlm.Templates.GoTemplates;

namespace OrleansLlm.Templates.Ollama;

/// <summary>
/// Ollama's walks over a template's tree, ported from template.go (<c>Identifiers</c>,
/// <c>deleteNode</c>) and tools/template.go (<c>parseTag</c>).
/// </summary>
internal static class TemplateTree
{
    /// <summary>Every field and variable name the template mentions (Ollama's <c>Identifiers</c>).</summary>
    public static IEnumerable<string> Identifiers(Node node) => node switch
    {
        Node.List list => list.Nodes.SelectMany(Identifiers),
        Node.Action action => Identifiers(action.Pipeline),
        Node.Branch branch => Identifiers(branch.Pipeline).Concat(Identifiers(branch.Body)).Concat(branch.Else is null ? [] : Identifiers(branch.Else)),
        Node.Pipe pipe => pipe.Commands.SelectMany(c => c.Args).SelectMany(Identifiers),
        Node.Field field => field.Ident,
        Node.Variable variable => variable.Ident,
        _ => [],
    };

    /// <summary>
    /// The tree up to and including the first <c>.Response</c> field, everything after it removed:
    /// a legacy template's last turn ends where the model's answer begins (Ollama's <c>deleteNode</c>).
    /// </summary>
    public static Node.List CutAfterResponse(Node.List root)
    {
        var cut = false;
        bool Delete(Node n)
        {
            if (n is Node.Field field && field.Ident.Contains("Response"))
            {
                cut = true;
                return false;
            }
            return cut;
        }

        Node? Walk(Node n)
        {
            if (Delete(n))
                return null;
            switch (n)
            {
                case Node.List list:
                    return list with { Nodes = [.. list.Nodes.Select(Walk).OfType<Node>()] };
                case Node.Branch branch:
                    // Ollama walks the branch's lists, not its condition.
                    var body = (Node.List)Walk(branch.Body)!;
                    var elseList = branch.Else is null ? null : Walk(branch.Else) as Node.List;
                    return branch with { Body = body, Else = elseList };
                case Node.Action action:
                    return Walk(action.Pipeline) is Node.Pipe kept ? action with { Pipeline = kept } : null;
                case Node.Pipe pipe:
                    var commands = new List<Node.Command>();
                    foreach (var command in pipe.Commands)
                    {
                        var args = command.Args.Select(Walk).OfType<Node>().ToList();
                        if (args.Count == 0)
                            return null;
                        commands.Add(command with { Args = args });
                    }
                    return commands.Count == 0 ? null : pipe with { Commands = commands };
                default:
                    return n;
            }
        }

        return (Node.List?)Walk(root) ?? new Node.List(root.Pos, []);
    }

    /// <summary>
    /// The text a model writes before its tool calls: the first text after the template's
    /// <c>{{ if .ToolCalls }}</c> up to any <c>{</c>, or <c>{</c> when calls are bare JSON.
    /// </summary>
    public static string ToolCallTag(Node.List root)
    {
        var branch = FindToolCallBranch(root.Nodes);
        if (branch is null || FindText(branch.Body.Nodes) is not { } text)
            return "{";
        var tag = text.Value.Replace("\r\n", "\n", StringComparison.Ordinal);
        var brace = tag.IndexOf('{', StringComparison.Ordinal);
        tag = (brace >= 0 ? tag[..brace] : tag).Trim();
        return tag.Length == 0 ? "{" : tag;
    }

    private static Node.Branch? FindToolCallBranch(IEnumerable<Node> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case Node.Branch { Kind: BranchKind.If } branch when branch.Pipeline.Commands.SelectMany(c => c.Args).OfType<Node.Field>().Any(f => f.Ident.Contains("ToolCalls")):
                    return branch;
                case Node.Branch branch:
                    if (FindToolCallBranch(branch.Body.Nodes) is { } inBody)
                        return inBody;
                    if (branch.Else is not null && FindToolCallBranch(branch.Else.Nodes) is { } inElse)
                        return inElse;
                    break;
                case Node.List list when FindToolCallBranch(list.Nodes) is { } inList:
                    return inList;
            }
        }
        return null;
    }

    private static Node.Text? FindText(IEnumerable<Node> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case Node.Text text when string.IsNullOrWhiteSpace(text.Value):
                    continue;
                case Node.Text text:
                    return text;
                case Node.Branch branch:
                    return FindText(branch.Body.Nodes) ?? (branch.Else is null ? null : FindText(branch.Else.Nodes));
                case Node.List list when FindText(list.Nodes) is { } inList:
                    return inList;
                case Node.Action:
                    return null;
            }
        }
        return null;
    }
}
