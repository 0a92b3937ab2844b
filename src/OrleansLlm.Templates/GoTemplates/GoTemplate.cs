namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// A Go <c>text/template</c>, parsed once and executed many times. Covers what model templates
/// use: text, trim markers, comments, fields, variables, <c>if</c>/<c>else if</c>/<c>range</c>/<c>with</c>,
/// <c>break</c>/<c>continue</c>, pipelines, and the built-in and Ollama functions; no
/// <c>define</c>/<c>template</c>/<c>block</c>. Every failure is a <see cref="TemplateException"/>.
/// </summary>
public sealed class GoTemplate
{
    private GoTemplate(string source, Node.List root, TemplateLimits limits)
    {
        Source = source;
        Root = root;
        Limits = limits;
    }

    public string Source { get; }

    public TemplateLimits Limits { get; }

    internal Node.List Root { get; }

    public static GoTemplate Parse(string source, TemplateLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        limits ??= TemplateLimits.Default;
        return new GoTemplate(source, Parser.Parse(source, limits), limits);
    }

    /// <summary>The same template with another tree (Ollama's appended <c>{{ .Response }}</c>, its cut at it).</summary>
    internal GoTemplate WithRoot(Node.List root) => new(Source, root, Limits);

    /// <summary>Renders the template over <paramref name="data"/> (maps, lists, <see cref="TemplateStruct"/>s, scalars).</summary>
    public string Execute(object? data, TimeProvider? clock = null) => Executor.Run(Root, data, Limits, clock ?? TimeProvider.System);
}
