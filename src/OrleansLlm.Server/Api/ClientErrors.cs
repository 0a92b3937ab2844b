using System.Text.RegularExpressions;

namespace OrleansLlm.Server.Api;

/// <summary>
/// What an API client may read of a server-side error: the reason, never the server's file
/// layout. Absolute paths of model files in a message become the file as the models root names it
/// (<c>demo/latest.gguf</c>); the whole message, paths included, is in the server's log where the
/// error was raised. (Other text, such as a model name the client sent, is left as it was.)
/// </summary>
internal static partial class ClientErrors
{
    public static string WithoutPaths(string message) => AbsolutePath().Replace(message, match => ShortName(match.Value));

    /// <summary>As <see cref="WithoutPaths(string)"/>, a model file named as the API names it (<c>demo:latest</c>) where <paramref name="nameOf"/> knows it.</summary>
    public static string WithoutPaths(string message, Func<string, string?> nameOf) =>
        AbsolutePath().Replace(message, match => nameOf(match.Value) ?? ShortName(match.Value));

    private static string ShortName(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 1 ? parts[0] : $"{parts[^2]}/{parts[^1]}";
    }

    /// <summary>A model file's path from the file-system root, at the start of the message or after a space, quote or bracket (not a URL's).</summary>
    [GeneratedRegex(@"(?<=^|[\s'""(\[])/[^\s'""()\[\]]+\.gguf\b")]
    private static partial Regex AbsolutePath();
}
