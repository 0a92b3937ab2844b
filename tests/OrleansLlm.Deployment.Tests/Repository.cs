namespace OrleansLlm.Deployment.Tests;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds OrleansLlm.sln.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every Bicep file under infra/, keyed by its path relative to the root.</summary>
    public static IReadOnlyDictionary<string, string> BicepFiles() =>
        Directory.EnumerateFiles(PathOf("infra"), "*.bicep", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(Root, path).Replace('\\', '/'), File.ReadAllText);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansLlm.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no OrleansLlm.sln above {AppContext.BaseDirectory}");
    }
}
