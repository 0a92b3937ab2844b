namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// Builds the tree from tokens with Go's grammar: control structures, pipelines, commands and
/// operands. Variables are checked as Go does at parse time (an undefined <c>$x</c> is an error),
/// functions must exist, and nesting is bounded.
/// </summary>
internal sealed class Parser
{
    private readonly List<Token> _tokens;
    private readonly int _maxDepth;
    private readonly List<string> _variables = ["$"];
    private int _next;
    private int _depth;
    private int _rangeDepth;

    private Parser(List<Token> tokens, int maxDepth)
    {
        _tokens = tokens;
        _maxDepth = maxDepth;
    }

    public static Node.List Parse(string source, TemplateLimits limits)
    {
        var parser = new Parser(Lexer.Lex(source), limits.MaxDepth);
        var (list, end) = parser.ParseList();
        if (end is not null)
            throw new TemplateException(end.Value.Pos, $"unexpected {{{{{end.Value.Text}}}}}");
        return list;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    /// <summary>Parses nodes up to the end of input or an <c>{{end}}</c> / <c>{{else}}</c>, which it returns (consumed up to the keyword).</summary>
    private (Node.List List, Token? Terminator) ParseList()
    {
        var nodes = new List<Node>();
        var start = Peek.Pos;
        while (true)
        {
            var token = Take();
            switch (token.Kind)
            {
                case TokenKind.Eof:
                    _next--;
                    return (new Node.List(start, nodes), null);
                case TokenKind.Text:
                    nodes.Add(new Node.Text(token.Pos, token.Text));
                    break;
                case TokenKind.LeftDelim:
                    if (Peek is { Kind: TokenKind.Keyword, Text: "end" or "else" })
                        return (new Node.List(start, nodes), Peek);
                    nodes.Add(ParseAction(token));
                    break;
                default:
                    throw new TemplateException(token.Pos, $"unexpected {token.Text}");
            }
        }
    }

    private Node ParseAction(Token open)
    {
        var token = Peek;
        if (token.Kind != TokenKind.Keyword)
            return new Node.Action(open.Pos, ParsePipe("command", TokenKind.RightDelim));
        Take();
        switch (token.Text)
        {
            case "if":
                return ParseBranch(BranchKind.If, token);
            case "range":
                return ParseBranch(BranchKind.Range, token);
            case "with":
                return ParseBranch(BranchKind.With, token);
            case "break" or "continue":
                if (_rangeDepth == 0)
                    throw new TemplateException(token.Pos, $"{{{{{token.Text}}}}} outside {{{{range}}}}");
                Expect(TokenKind.RightDelim, token.Text);
                return token.Text == "break" ? new Node.Break(token.Pos) : new Node.Continue(token.Pos);
            default:
                throw new TemplateException(token.Pos, $"{{{{{token.Text}}}}} is not supported: a prompt template is one template, without define, template or block");
        }
    }

    private Node.Branch ParseBranch(BranchKind kind, Token keyword)
    {
        Enter(keyword.Pos);
        var mark = _variables.Count;
        var pipe = ParsePipe(keyword.Text, TokenKind.RightDelim);
        if (kind == BranchKind.Range)
            _rangeDepth++;
        var (body, terminator) = ParseList();
        if (kind == BranchKind.Range)
            _rangeDepth--;
        if (terminator is null)
            throw new TemplateException(keyword.Pos, $"unexpected EOF: {{{{{keyword.Text}}}}} has no {{{{end}}}}");
        Node.List? elseList = null;
        Take(); // end or else
        if (terminator.Value.Text == "else")
        {
            // {{else if …}} and {{else with …}} chain: one nested branch that owns the {{end}}.
            if (kind != BranchKind.Range && Peek is { Kind: TokenKind.Keyword, Text: "if" or "with" } nested)
            {
                Take();
                var inner = ParseBranch(nested.Text == "if" ? BranchKind.If : BranchKind.With, nested);
                elseList = new Node.List(nested.Pos, [inner]);
                _variables.RemoveRange(mark, _variables.Count - mark);
                _depth--;
                return new Node.Branch(keyword.Pos, kind, pipe, body, elseList);
            }
            Expect(TokenKind.RightDelim, "else");
            (elseList, terminator) = ParseList();
            if (terminator is not { Text: "end" })
                throw new TemplateException(terminator?.Pos ?? keyword.Pos, $"expected {{{{end}}}} to close {{{{{keyword.Text}}}}}");
            Take();
        }
        Expect(TokenKind.RightDelim, "end");
        _variables.RemoveRange(mark, _variables.Count - mark);
        _depth--;
        return new Node.Branch(keyword.Pos, kind, pipe, body, elseList);
    }

    private Node.Pipe ParsePipe(string context, TokenKind close)
    {
        var start = Peek.Pos;
        var declarations = new List<string>();
        var isAssign = false;
        if (Peek.Kind == TokenKind.Variable)
        {
            var save = _next;
            var first = Take();
            if (Peek.Kind is TokenKind.Declare or TokenKind.Assign || (Peek.Kind == TokenKind.Comma && context == "range"))
            {
                declarations.Add(first.Text);
                if (Peek.Kind == TokenKind.Comma)
                {
                    Take();
                    var second = Take();
                    if (second.Kind != TokenKind.Variable)
                        throw new TemplateException(second.Pos, "range can only initialize variables");
                    declarations.Add(second.Text);
                    if (Peek.Kind != TokenKind.Declare && Peek.Kind != TokenKind.Assign)
                        throw new TemplateException(Peek.Pos, "expected := or = after range variables");
                }
                isAssign = Take().Kind == TokenKind.Assign;
                foreach (var name in declarations.Where(_ => isAssign))
                {
                    if (!_variables.Contains(name))
                        throw new TemplateException(first.Pos, $"undefined variable \"{name}\"");
                }
            }
            else
                _next = save;
        }
        var commands = new List<Node.Command>();
        while (true)
        {
            commands.Add(ParseCommand(context, close));
            var token = Take();
            if (token.Kind == close)
                break;
            if (token.Kind != TokenKind.Pipe)
                throw new TemplateException(token.Pos, $"unexpected \"{token.Text}\" in {context}");
        }
        if (!isAssign)
            _variables.AddRange(declarations);
        return new Node.Pipe(start, declarations, isAssign, commands);
    }

    private Node.Command ParseCommand(string context, TokenKind close)
    {
        var start = Peek.Pos;
        var args = new List<Node>();
        while (Peek.Kind != TokenKind.Pipe && Peek.Kind != close)
        {
            if (Peek.Kind is TokenKind.Eof or TokenKind.RightDelim or TokenKind.RightParen)
                throw new TemplateException(Peek.Pos, $"unexpected \"{Peek.Text}\" in {context}");
            if (args.Count > 0 && !Peek.SpaceBefore && Peek.Kind != TokenKind.LeftParen)
                throw new TemplateException(Peek.Pos, $"missing space before \"{Peek.Text}\"");
            args.Add(ParseOperand(context));
        }
        if (args.Count == 0)
            throw new TemplateException(Peek.Pos, $"missing value for {context}");
        return new Node.Command(start, args);
    }

    private Node ParseOperand(string context)
    {
        var token = Take();
        Node term = token.Kind switch
        {
            TokenKind.Identifier => Builtins.Exists(token.Text) ? new Node.Identifier(token.Pos, token.Text)
                : throw new TemplateException(token.Pos, $"function \"{token.Text}\" not defined"),
            TokenKind.Dot => new Node.Dot(token.Pos),
            TokenKind.Nil => new Node.Nil(token.Pos),
            TokenKind.Variable => _variables.Contains(token.Text) ? new Node.Variable(token.Pos, [token.Text])
                : throw new TemplateException(token.Pos, $"undefined variable \"{token.Text}\""),
            TokenKind.Field => new Node.Field(token.Pos, [token.Text[1..]]),
            TokenKind.Bool => new Node.Bool(token.Pos, (bool)token.Value!),
            TokenKind.Number => new Node.Number(token.Pos, token.Value!),
            TokenKind.String => new Node.StringLiteral(token.Pos, (string)token.Value!),
            TokenKind.LeftParen => Parenthesised(token),
            _ => throw new TemplateException(token.Pos, $"unexpected \"{token.Text}\" in {context}"),
        };
        var fields = new List<string>();
        while (Peek.Kind == TokenKind.Field && !Peek.SpaceBefore)
            fields.Add(Take().Text[1..]);
        if (fields.Count == 0)
            return term;
        return term switch
        {
            Node.Field f => f with { Ident = [.. f.Ident, .. fields] },
            Node.Variable v => v with { Ident = [.. v.Ident, .. fields] },
            Node.Chain or Node.Pipe or Node.Dot => new Node.Chain(term.Pos, term, fields),
            _ => throw new TemplateException(term.Pos, $"unexpected . after term \"{token.Text}\""),
        };
    }

    private Node.Pipe Parenthesised(Token open)
    {
        Enter(open.Pos);
        var pipe = ParsePipe("parenthesized pipeline", TokenKind.RightParen);
        _depth--;
        return pipe;
    }

    private void Expect(TokenKind kind, string context)
    {
        var token = Take();
        if (token.Kind != kind)
            throw new TemplateException(token.Pos, $"unexpected \"{token.Text}\" in {context}");
    }

    private void Enter(Pos pos)
    {
        if (++_depth > _maxDepth)
            throw new TemplateException(pos, $"nesting deeper than {_maxDepth} levels");
    }
}
