using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// Runs a parsed template over data as Go's <c>text/template</c> executes it, within
/// <see cref="TemplateLimits"/>. Missing map keys are nil and print <c>&lt;no value&gt;</c>
/// (Ollama's <c>missingkey=zero</c> over <c>map[string]any</c>).
/// </summary>
internal sealed class Executor
{
    private static readonly object Missing = new();
    private readonly StringBuilder _output = new();
    private readonly List<(string Name, object? Value)> _variables = [];
    private readonly TemplateLimits _limits;
    private readonly TimeProvider _clock;
    private long _steps;
    private long _produced;

    private Executor(TemplateLimits limits, TimeProvider clock)
    {
        _limits = limits;
        _clock = clock;
    }

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public static string Run(Node.List root, object? data, TemplateLimits limits, TimeProvider clock)
    {
        var executor = new Executor(limits, clock);
        executor._variables.Add(("$", Values.Normalize(data)));
        executor.Walk(Values.Normalize(data), root);
        return executor._output.ToString();
    }

    private Flow Walk(object? dot, Node node)
    {
        Step(node.Pos);
        switch (node)
        {
            case Node.List list:
                foreach (var child in list.Nodes)
                {
                    var flow = Walk(dot, child);
                    if (flow != Flow.Normal)
                        return flow;
                }
                return Flow.Normal;
            case Node.Text text:
                Write(text.Pos, text.Value);
                return Flow.Normal;
            case Node.Action action:
                var value = EvalPipe(dot, action.Pipeline);
                if (action.Pipeline.Declarations.Count == 0)
                    Write(action.Pos, Print(action.Pos, value));
                return Flow.Normal;
            case Node.Branch { Kind: BranchKind.Range } range:
                return WalkRange(dot, range);
            case Node.Branch branch:
                var mark = _variables.Count;
                try
                {
                    var condition = EvalPipe(dot, branch.Pipeline);
                    if (Values.IsTrue(condition))
                        return Walk(branch.Kind == BranchKind.With ? condition : dot, branch.Body);
                    return branch.Else is null ? Flow.Normal : Walk(dot, branch.Else);
                }
                finally
                {
                    Pop(mark);
                }
            case Node.Break:
                return Flow.Break;
            case Node.Continue:
                return Flow.Continue;
            default:
                throw new TemplateException(node.Pos, $"unknown node {node.GetType().Name}");
        }
    }

    private Flow WalkRange(object? dot, Node.Branch range)
    {
        var mark = _variables.Count;
        try
        {
            var items = EvalCommands(dot, range.Pipeline);
            var iterations = Values.Normalize(items) switch
            {
                null => [],
                IReadOnlyDictionary<string, object?> map => map.Keys.Order(StringComparer.Ordinal).Select(k => ((object?)k, map[k])),
                IReadOnlyList<object?> list => list.Select((item, i) => ((object?)(long)i, item)),
                long count when range.Pipeline.Declarations.Count < 2 => LongRange(count),
                var other => throw new TemplateException(range.Pos, $"range can't iterate over {GoFormat.Value(other)}"),
            };
            var any = false;
            foreach (var (key, element) in iterations)
            {
                any = true;
                Step(range.Pos);
                var inner = _variables.Count;
                Declare(range.Pipeline, range.Pipeline.Declarations.Count == 2 ? [key, element] : [element]);
                var flow = Walk(Values.Normalize(element), range.Body);
                Pop(inner);
                if (flow == Flow.Break)
                    break;
            }
            if (!any && range.Else is not null)
                return Walk(dot, range.Else);
            return Flow.Normal;
        }
        finally
        {
            Pop(mark);
        }
    }

    private static IEnumerable<(object?, object?)> LongRange(long count)
    {
        for (long i = 0; i < count; i++)
            yield return (i, i);
    }

    private object? EvalPipe(object? dot, Node.Pipe pipe)
    {
        var value = EvalCommands(dot, pipe);
        Declare(pipe, Enumerable.Repeat(value, pipe.Declarations.Count).ToArray());
        return value;
    }

    private object? EvalCommands(object? dot, Node.Pipe pipe)
    {
        var value = Missing;
        foreach (var command in pipe.Commands)
            value = EvalCommand(dot, command, value);
        return value;
    }

    private void Declare(Node.Pipe pipe, object?[] values)
    {
        for (var i = 0; i < pipe.Declarations.Count; i++)
        {
            var name = pipe.Declarations[i];
            var value = Values.Normalize(values[i]);
            if (!pipe.IsAssign)
            {
                _variables.Add((name, value));
                continue;
            }
            var at = _variables.FindLastIndex(v => v.Name == name);
            if (at < 0)
                throw new TemplateException(pipe.Pos, $"undefined variable: {name}");
            _variables[at] = (name, value);
        }
    }

    private object? EvalCommand(object? dot, Node.Command command, object? final)
    {
        var first = command.Args[0];
        switch (first)
        {
            case Node.Field field:
                return FieldChain(dot, field.Ident, command, final);
            case Node.Variable variable:
                var value = Lookup(variable);
                if (variable.Ident.Count == 1)
                {
                    NotAFunction(command, final);
                    return value;
                }
                return FieldChain(value, variable.Ident.Skip(1).ToArray(), command, final);
            case Node.Chain chain:
                return FieldChain(EvalArg(dot, chain.Target), chain.Fields, command, final);
            case Node.Identifier function:
                return Call(dot, function, command.Args.Skip(1).ToArray(), final);
            case Node.Pipe pipe:
                NotAFunction(command, final);
                return EvalPipe(dot, pipe);
        }
        NotAFunction(command, final);
        return first is Node.Nil ? throw new TemplateException(first.Pos, "nil is not a command") : EvalArg(dot, first);
    }

    private static void NotAFunction(Node.Command command, object? final)
    {
        if (command.Args.Count > 1 || final != Missing)
            throw new TemplateException(command.Pos, $"can't give argument to non-function {Describe(command.Args[0])}");
    }

    private object? FieldChain(object? receiver, IReadOnlyList<string> fields, Node.Command command, object? final)
    {
        if (command.Args.Count > 1 || final != Missing)
            throw new TemplateException(command.Pos, $"{fields[^1]} is not a method but has arguments");
        foreach (var name in fields)
            receiver = Field(command.Pos, receiver, name);
        return receiver;
    }

    private static object? Field(Pos pos, object? receiver, string name) => Values.Normalize(receiver) switch
    {
        // Go errors on a field of a nil interface; a prompt is better served by nothing.
        null => null,
        TemplateStruct s => s.TryGetField(name, out var value) ? Values.Normalize(value)
            : throw new TemplateException(pos, $"can't evaluate field {name} in type {s.TypeName}"),
        IReadOnlyDictionary<string, object?> map => map.TryGetValue(name, out var value) ? Values.Normalize(value) : null,
        var other => throw new TemplateException(pos, $"can't evaluate field {name} in type {Values.TypeName(other)}"),
    };

    private object? EvalArg(object? dot, Node node) => node switch
    {
        Node.Dot => dot,
        Node.Nil => null,
        Node.Bool b => b.Value,
        Node.Number n => n.Value,
        Node.StringLiteral s => s.Value,
        Node.Field f => FieldChain(dot, f.Ident, new Node.Command(f.Pos, [f]), Missing),
        Node.Variable v => v.Ident.Count == 1 ? Lookup(v) : FieldChain(Lookup(v), v.Ident.Skip(1).ToArray(), new Node.Command(v.Pos, [v]), Missing),
        Node.Chain c => FieldChain(EvalArg(dot, c.Target), c.Fields, new Node.Command(c.Pos, [c]), Missing),
        Node.Pipe p => EvalPipe(dot, p),
        Node.Identifier id => Call(dot, id, [], Missing),
        _ => throw new TemplateException(node.Pos, $"can't evaluate {node.GetType().Name}"),
    };

    private object? Call(object? dot, Node.Identifier function, IReadOnlyList<Node> args, object? final)
    {
        Step(function.Pos);
        if (function.Name is "and" or "or")
        {
            if (args.Count == 0 && final == Missing)
                throw new TemplateException(function.Pos, $"wrong number of args for {function.Name}: want at least 1 got 0");
            object? value = null;
            foreach (var arg in args)
            {
                value = EvalArg(dot, arg);
                if (Values.IsTrue(value) == (function.Name == "or"))
                    return value;
            }
            return final != Missing ? final : value;
        }
        var values = args.Select(a => EvalArg(dot, a)).ToList();
        if (final != Missing)
            values.Add(final);
        var result = Builtins.Call(function.Name, values, _clock, function.Pos);
        if (result is string text && (_produced += text.Length) > _limits.MaxProducedChars)
            throw new TemplateException(function.Pos, $"functions produced more than {_limits.MaxProducedChars} characters");
        return result;
    }

    private object? Lookup(Node.Variable variable)
    {
        var name = variable.Ident[0];
        for (var i = _variables.Count - 1; i >= 0; i--)
        {
            if (_variables[i].Name == name)
                return _variables[i].Value;
        }
        throw new TemplateException(variable.Pos, $"undefined variable: {name}");
    }

    private void Pop(int mark) => _variables.RemoveRange(mark, _variables.Count - mark);

    private static string Print(Pos pos, object? value)
    {
        if (value is null)
            return "<no value>";
        try
        {
            return GoFormat.Value(value);
        }
        catch (InvalidOperationException e)
        {
            throw new TemplateException(pos, e.Message);
        }
    }

    private void Write(Pos pos, string text)
    {
        if (_output.Length + (long)text.Length > _limits.MaxOutputChars)
            throw new TemplateException(pos, $"output exceeds {_limits.MaxOutputChars} characters");
        _output.Append(text);
    }

    private void Step(Pos pos)
    {
        if (++_steps > _limits.MaxSteps)
            throw new TemplateException(pos, $"execution exceeds {_limits.MaxSteps} steps");
    }

    private static string Describe(Node node) => node switch
    {
        Node.StringLiteral s => GoFormat.Quote(s.Value),
        Node.Number n => GoFormat.Value(n.Value),
        Node.Bool b => b.Value ? "true" : "false",
        Node.Dot => ".",
        Node.Nil => "nil",
        Node.Field f => "." + string.Join('.', f.Ident),
        Node.Variable v => string.Join('.', v.Ident),
        _ => node.GetType().Name,
    };
}
