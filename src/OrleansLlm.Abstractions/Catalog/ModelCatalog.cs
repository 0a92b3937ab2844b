using System.Text.RegularExpressions;

namespace OrleansLlm.Abstractions.Catalog;

/// <summary>
/// Ollama-style model names resolved to GGUF files under the models root: <c>name:tag</c> is
/// <c>&lt;root&gt;/name/tag.gguf</c>; a bare <c>name</c> is tag <c>latest</c>, and
/// <c>&lt;root&gt;/name.gguf</c> answers to it too. Nothing outside the root is ever opened: names
/// are validated before any file-system call, and a file is served only if its real path — every
/// link along the way followed, a linked directory as much as a linked file — is inside the real
/// path of the root.
/// </summary>
public sealed partial class ModelCatalog
{
    public const string DefaultTag = "latest";

    public ModelCatalog(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>The model file for <paramref name="name"/>, or null (not found, or not a valid name).</summary>
    public string? Resolve(string? name)
    {
        if (!TryParseName(name, out var model, out var tag))
            return null;
        foreach (var candidate in Candidates(model, tag))
        {
            var path = Path.GetFullPath(Path.Combine(Root, candidate));
            if (!IsInside(path) || !File.Exists(path))
                continue;
            if (!RealPath(path).StartsWith(RealPath(Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                continue; // a link (of the file or of a directory on its way) out of the root
            return path;
        }
        return null;
    }

    /// <summary>The name a model file is known by (<c>demo:latest</c>), or null when it is not under the root.</summary>
    public string? NameOf(string path)
    {
        var full = Path.GetFullPath(path);
        if (!IsInside(full) || !full.EndsWith(".gguf", StringComparison.Ordinal))
            return null;
        var relative = Path.GetRelativePath(Root, full)[..^".gguf".Length].Replace('\\', '/');
        var slash = relative.LastIndexOf('/');
        return slash < 0 ? $"{relative}:{DefaultTag}" : $"{relative[..slash]}:{relative[(slash + 1)..]}";
    }

    /// <summary>Every model under the root, by name.</summary>
    public IReadOnlyList<(string Name, FileInfo File)> List()
    {
        if (!Directory.Exists(Root))
            return [];
        // Names go two directories deep at most (namespace/name/tag.gguf): deeper is no model, and a
        // directory link that loops cannot send the listing round for ever.
        var files = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2 };
        return [.. Directory.EnumerateFiles(Root, "*.gguf", files)
            .Select(path => (Name: NameOf(path), File: new FileInfo(path)))
            .Where(m => m.Name is not null && Resolve(m.Name) == m.File.FullName)
            .Select(m => (m.Name!, m.File))
            .OrderBy(m => m.Item1, StringComparer.Ordinal)];
    }

    /// <summary>Splits and validates <c>name[:tag]</c>: letters, digits, <c>._-</c>, one optional namespace.</summary>
    public static bool TryParseName(string? name, out string model, out string tag)
    {
        model = tag = "";
        if (string.IsNullOrWhiteSpace(name) || name.Length > 256)
            return false;
        var colon = name.LastIndexOf(':');
        model = colon < 0 ? name : name[..colon];
        tag = colon < 0 ? DefaultTag : name[(colon + 1)..];
        return ModelName().IsMatch(model) && TagName().IsMatch(tag) && !model.Contains("..", StringComparison.Ordinal) && !tag.Contains("..", StringComparison.Ordinal);
    }

    private static IEnumerable<string> Candidates(string model, string tag)
    {
        yield return Path.Combine(model, tag + ".gguf");
        if (tag == DefaultTag)
            yield return model + ".gguf";
    }

    /// <summary>
    /// What the kernel would open: <paramref name="path"/> with every symbolic link along it
    /// followed, component by component (.NET resolves only the last one).
    /// </summary>
    internal static string RealPath(string path, int depth = 0)
    {
        if (depth > 40)
            throw new IOException($"too many levels of symbolic links at '{path}'");
        var full = Path.GetFullPath(path);
        var current = Path.GetPathRoot(full)!;
        foreach (var part in full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo entry = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (entry.LinkTarget is { } target)
                current = RealPath(Path.Combine(Path.GetDirectoryName(current)!, target), depth + 1);
        }
        return current;
    }

    private bool IsInside(string fullPath) => fullPath.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127})?$")]
    private static partial Regex ModelName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagName();
}
