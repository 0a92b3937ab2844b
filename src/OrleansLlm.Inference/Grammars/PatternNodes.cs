namespace OrleansLlm.Inference.Grammars;

/// <summary>A regular expression as the parts GBNF can express.</summary>
internal abstract record PatternNode;

/// <summary>One character out of a set.</summary>
internal sealed record CharNode(CharSet Set) : PatternNode;

internal sealed record SequenceNode(IReadOnlyList<PatternNode> Items) : PatternNode;

internal sealed record AlternationNode(IReadOnlyList<PatternNode> Options) : PatternNode;

/// <summary><see cref="Item"/> from <see cref="Min"/> to <see cref="Max"/> times (null: no maximum).</summary>
internal sealed record RepeatNode(PatternNode Item, int Min, int? Max) : PatternNode;

/// <summary>A top-level alternative and whether it is anchored at the start (<c>^</c>) and the end (<c>$</c>).</summary>
internal sealed record PatternBranch(PatternNode Body, bool AnchoredStart, bool AnchoredEnd);
