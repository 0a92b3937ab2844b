namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// One lexeme. <see cref="SpaceBefore"/> stands in for Go's space tokens: <c>.A .B</c> is two
/// arguments, <c>.A.B</c> one field chain.
/// </summary>
internal readonly record struct Token(TokenKind Kind, string Text, Pos Pos, bool SpaceBefore = false, object? Value = null);
