namespace OrleansLlm.Templates.GoTemplates;

/// <summary>A place in a template's source, 1-based, as Go's errors print it (<c>line:column</c>).</summary>
internal readonly record struct Pos(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
