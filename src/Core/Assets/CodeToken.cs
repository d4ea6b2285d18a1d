namespace Windmill.Jobs.Core.Assets;

public enum CodeTokenKind
{
    Name,
    String,
    Number,
    Symbol,
}

/// <summary>
/// A token of Python, TypeScript or bash code, comments and whitespace left out. A string's <see cref="Value"/>
/// is its content; <see cref="Constant"/> is false when it is computed (an f-string, a template with <c>${}</c>,
/// a bash string with <c>$</c> expansions).
/// </summary>
public readonly record struct CodeToken(CodeTokenKind Kind, string Value, bool Constant = true)
{
    public bool Is(string symbol) => Kind == CodeTokenKind.Symbol && Value == symbol;
    public bool IsName(string name) => Kind == CodeTokenKind.Name && Value == name;
    public bool IsConstantString => Kind == CodeTokenKind.String && Constant;
}
