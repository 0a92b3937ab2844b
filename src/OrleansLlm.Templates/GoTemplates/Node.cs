namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// The parse tree of a Go text/template, shaped like Go's <c>text/template/parse</c> nodes so that
/// Ollama's tree walks (identifiers, the cut at <c>.Response</c>, the tool-call tag) port one to one.
/// </summary>
internal abstract record Node(Pos Pos)
{
    public sealed record List(Pos Pos, IReadOnlyList<Node> Nodes) : Node(Pos);

    public sealed record Text(Pos Pos, string Value) : Node(Pos);

    /// <summary><c>{{ pipeline }}</c>: printed unless the pipeline declares or assigns variables.</summary>
    public sealed record Action(Pos Pos, Pipe Pipeline) : Node(Pos);

    /// <summary><c>if</c>, <c>range</c> or <c>with</c>, with its optional <c>else</c> list.</summary>
    public sealed record Branch(Pos Pos, BranchKind Kind, Pipe Pipeline, List Body, List? Else) : Node(Pos);

    public sealed record Break(Pos Pos) : Node(Pos);

    public sealed record Continue(Pos Pos) : Node(Pos);

    /// <summary>Commands joined by <c>|</c>, optionally declaring (<c>:=</c>) or assigning (<c>=</c>) variables.</summary>
    public sealed record Pipe(Pos Pos, IReadOnlyList<string> Declarations, bool IsAssign, IReadOnlyList<Command> Commands) : Node(Pos);

    public sealed record Command(Pos Pos, IReadOnlyList<Node> Args) : Node(Pos);

    /// <summary><c>.A.B</c>: fields of dot.</summary>
    public sealed record Field(Pos Pos, IReadOnlyList<string> Ident) : Node(Pos);

    /// <summary><c>$x.A.B</c>: the variable is <c>Ident[0]</c>, fields follow.</summary>
    public sealed record Variable(Pos Pos, IReadOnlyList<string> Ident) : Node(Pos);

    /// <summary><c>(pipeline).A.B</c>.</summary>
    public sealed record Chain(Pos Pos, Node Target, IReadOnlyList<string> Fields) : Node(Pos);

    public sealed record Dot(Pos Pos) : Node(Pos);

    /// <summary>A function name.</summary>
    public sealed record Identifier(Pos Pos, string Name) : Node(Pos);

    public sealed record StringLiteral(Pos Pos, string Value) : Node(Pos);

    /// <summary>A number: <see cref="long"/> or <see cref="double"/>, as Go picks for an untyped constant.</summary>
    public sealed record Number(Pos Pos, object Value) : Node(Pos);

    public sealed record Bool(Pos Pos, bool Value) : Node(Pos);

    public sealed record Nil(Pos Pos) : Node(Pos);
}
