namespace OrleansLlm.Templates.GoTemplates;

internal enum BranchKind
{
    If,
    Range,
    With,
}
