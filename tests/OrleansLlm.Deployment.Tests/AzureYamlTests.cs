using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace OrleansLlm.Deployment.Tests;

/// <summary>azure.yaml as azd reads it: every path it names exists, and each service builds the server.</summary>
public sealed partial class AzureYamlTests
{
    private static readonly AzureYaml Yaml = AzureYaml.Load();

    [Fact]
    public void Infrastructure_is_bicep_from_infra_main()
    {
        var infra = AzureYaml.Mapping(Yaml.Root, "infra");
        Assert.Equal("bicep", AzureYaml.Text(infra, "provider"));
        var path = AzureYaml.Text(infra, "path") ?? "infra";
        var module = AzureYaml.Text(infra, "module") ?? "main";
        Assert.True(File.Exists(Repository.PathOf(Path.Combine(path, module + ".bicep"))), $"{path}/{module}.bicep is missing");
        Assert.True(File.Exists(Repository.PathOf(Path.Combine(path, module + ".parameters.json"))), $"{path}/{module}.parameters.json is missing");
    }

    [Fact]
    public void Declares_the_frontend_and_the_silo()
    {
        Assert.Equal(["frontend", "silo"], Yaml.Services.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("frontend")]
    [InlineData("silo")]
    public void Service_is_a_dotnet_container_app_of_an_existing_project(string service)
    {
        var config = Yaml.Services[service];
        Assert.Equal("containerapp", AzureYaml.Text(config, "host"));
        Assert.Equal("dotnet", AzureYaml.Text(config, "language"));
        var project = Repository.PathOf(AzureYaml.Text(config, "project") ?? throw new Xunit.Sdk.XunitException($"{service} has no project"));
        Assert.True(Directory.Exists(project), $"{service}: project folder {project} is missing");
        Assert.Single(Directory.GetFiles(project, "*.csproj"));
    }

    [Theory]
    [InlineData("frontend")]
    [InlineData("silo")]
    public void Service_dockerfile_and_context_exist_relative_to_its_project(string service)
    {
        // azd resolves docker.path and docker.context against the service's project folder.
        var (dockerfile, context) = Docker(service);
        Assert.True(File.Exists(dockerfile), $"{service}: Dockerfile {dockerfile} is missing");
        Assert.True(File.Exists(Path.Combine(context, "OrleansLlm.sln")), $"{service}: docker context {context} is not the repository root");
    }

    [Theory]
    [InlineData("frontend")]
    [InlineData("silo")]
    public void Service_image_publishes_its_project_and_runs_its_assembly(string service)
    {
        var config = Yaml.Services[service];
        var (dockerfile, context) = Docker(service);
        var text = File.ReadAllText(dockerfile);
        var project = Path.GetRelativePath(context, Repository.PathOf(AzureYaml.Text(config, "project")!)).Replace('\\', '/');
        Assert.Matches($@"dotnet publish {Regex.Escape(project)}\b", text);

        var csproj = File.ReadAllText(Assert.Single(Directory.GetFiles(Repository.PathOf(project), "*.csproj")));
        var assembly = AssemblyName().Match(csproj) is { Success: true } m ? m.Groups[1].Value : Path.GetFileName(project);
        Assert.Contains($"\"{assembly}.dll\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Silo_image_builds_the_cuda_backend_and_the_frontend_image_does_not()
    {
        Assert.Contains("-p:LlamaBackend=Cuda12", File.ReadAllText(Docker("silo").Dockerfile), StringComparison.Ordinal);
        Assert.DoesNotContain("Cuda12", File.ReadAllText(Docker("frontend").Dockerfile), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_hook_script_exists()
    {
        var hooks = HookCommands(Yaml.Root, Repository.Root)
            .Concat(Yaml.Services.SelectMany(s => HookCommands(s.Value, Repository.PathOf(AzureYaml.Text(s.Value, "project")!))))
            .ToList();
        Assert.NotEmpty(hooks);
        foreach (var (directory, run) in hooks)
        {
            // "sh <script> <args>": the script is relative to the folder azd runs the hook in.
            var script = run.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["sh", var path, ..] ? path : run;
            Assert.True(File.Exists(Path.Combine(directory, script)), $"hook '{run}' (run in {directory}): {script} is missing");
        }
    }

    private static (string Dockerfile, string Context) Docker(string service)
    {
        var config = Yaml.Services[service];
        var project = Repository.PathOf(AzureYaml.Text(config, "project")!);
        var docker = AzureYaml.Mapping(config, "docker");
        return (
            Path.GetFullPath(Path.Combine(project, AzureYaml.Text(docker, "path") ?? "Dockerfile")),
            Path.GetFullPath(Path.Combine(project, AzureYaml.Text(docker, "context") ?? ".")));
    }

    private static IEnumerable<(string Directory, string Run)> HookCommands(YamlMappingNode owner, string directory)
    {
        if (!owner.Children.TryGetValue(new YamlScalarNode("hooks"), out var hooks))
            yield break;
        foreach (var hook in ((YamlMappingNode)hooks).Children.Values.Cast<YamlMappingNode>())
        {
            foreach (var platform in hook.Children.Values.OfType<YamlMappingNode>())
            {
                if (AzureYaml.Text(platform, "run") is { } run)
                    yield return (directory, run);
            }
        }
    }

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyName();
}
