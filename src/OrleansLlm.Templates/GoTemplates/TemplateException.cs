namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// A template that cannot be parsed or executed: the message names the place (<c>line:column</c>)
/// and the reason, the way Go's <c>text/template</c> reports it.
/// </summary>
public sealed class TemplateException : Exception
{
    internal TemplateException(Pos pos, string reason)
        : base($"template: {pos}: {reason}")
    {
        Line = pos.Line;
        Column = pos.Column;
        Reason = reason;
    }

    public int Line { get; }

    public int Column { get; }

    /// <summary>The reason without the position.</summary>
    public string Reason { get; }
}
