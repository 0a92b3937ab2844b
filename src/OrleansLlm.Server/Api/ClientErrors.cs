using System.Text.RegularExpressions;

namespace OrleansLlm.Server.Api;

/// <summary>
/// What an API client may read of a server-side error: the reason, never the server's file
/// layout. Absolute paths in a message become the model's file as the models root names it
/// (<c>demo/latest.gguf</c>); the whole message, paths included, is in the server's log where the
/// error was raised.
/// </summary>
internal static partial class ClientErrors
{
    public static string WithoutPaths(string message) => AbsolutePath().Replace(message, match => ShortName(match.Value));

    private static string ShortName(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            0 => "/",
            1 => parts[0],
            _ when path.EndsWith(".gguf", StringComparison.Ordinal) => $"{parts[^2]}/{parts[^1]}",
            _ => parts[^1],
        };
    }

    /// <summary>A path from the file-system root, at the start of the message or after a space, quote or bracket (not a URL's).</summary>
    [GeneratedRegex(@"(?<=^|[\s'""(\[])/[^\s'""()\[\]]+")]
    private static partial Regex AbsolutePath();
}
