namespace OrleansLlm.Templates.GoTemplates;

internal enum TokenKind
{
    Text,
    LeftDelim,
    RightDelim,
    Identifier,
    Keyword,
    Field,
    Dot,
    Variable,
    String,
    Number,
    Bool,
    Nil,
    LeftParen,
    RightParen,
    Pipe,
    Declare,
    Assign,
    Comma,
    Eof,
}
