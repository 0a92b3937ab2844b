using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansLlm.Deployment.Tests;

/// <summary>
/// What azd and the app need from infra/ that the Bicep compiler cannot check (CI runs
/// <c>bicep build</c> and <c>bicep lint</c> for the rest).
/// </summary>
public sealed partial class BicepTests
{
    private static readonly IReadOnlyDictionary<string, string> Bicep = Repository.BicepFiles();
    private static readonly string Main = Repository.Read("infra/main.bicep");

    [Theory]
    [InlineData("frontend")]
    [InlineData("silo")]
    public void Service_has_exactly_one_container_app_tagged_with_its_name(string service)
    {
        // azd deploys a service to the one resource tagged azd-service-name: <service>; two are an error.
        Assert.Contains(service, AzureYaml.Load().Services.Keys);
        var tagged = Bicep
            .Where(f => f.Value.Contains($"'azd-service-name': '{service}'", StringComparison.Ordinal))
            .Select(f => f.Key)
            .ToList();
        var file = Assert.Single(tagged);
        Assert.Single(ContainerApp().Matches(Bicep[file]));
    }

    [Fact]
    public void Only_the_first_silo_of_a_generation_carries_the_azd_tag()
    {
        Assert.Contains("isAzdTarget: i == 0", Main, StringComparison.Ordinal);
        Assert.Contains("tags: isAzdTarget ? union(tags, { 'azd-service-name': 'silo' }) : tags", Bicep["infra/modules/silo.bicep"], StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_file_sets_only_declared_parameters_and_every_required_one()
    {
        var declared = Parameters().Matches(Main).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["default"].Success);
        using var json = JsonDocument.Parse(Repository.Read("infra/main.parameters.json"));
        var set = json.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();

        Assert.DoesNotContain(set, name => !declared.ContainsKey(name));
        Assert.Empty(declared.Where(p => !p.Value && !set.Contains(p.Key)).Select(p => p.Key));
    }

    [Fact]
    public void Every_allowed_gpu_profile_has_its_gpus_cpu_and_memory()
    {
        var allowed = AllowedGpuProfiles().Match(Main);
        Assert.True(allowed.Success, "main.bicep: no @allowed list on param gpuProfile");
        var profiles = Quoted().Matches(allowed.Groups[1].Value).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(5, profiles.Count);

        var map = GpuProfileMap().Match(Main);
        Assert.True(map.Success, "main.bicep: no gpuProfiles map");
        var entries = GpuProfileEntry().Matches(map.Value).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);
        Assert.Equal(profiles.Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, body) in entries)
        {
            foreach (var key in new[] { "dedicated", "gpus", "cpu", "memory" })
                Assert.True(Regex.IsMatch(body, $@"\b{key}: "), $"gpuProfiles['{name}'] has no {key}");
        }
    }

    [Fact]
    public void Every_setting_the_apps_get_is_one_the_server_reads()
    {
        var source = string.Join('\n', Directory.EnumerateFiles(Repository.PathOf("src"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));
        var names = Bicep.Values.SelectMany(text => EnvironmentName().Matches(text)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("OLLM_ADVERTISED_IP", names);
        // AZURE_CLIENT_ID is read by Azure.Identity's DefaultAzureCredential, not by our code.
        Assert.DoesNotContain(names, name => name != "AZURE_CLIENT_ID" && !source.Contains($"\"{name}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Control_app_is_no_azd_service_and_runs_the_frontend_image()
    {
        // azd deploys each service to one tagged app; the control app follows the front-end's image at provision.
        Assert.DoesNotContain("azd-service-name", Bicep["infra/modules/control.bicep"], StringComparison.Ordinal);
        var module = ControlModule().Match(Main);
        Assert.True(module.Success, "main.bicep: no control module");
        Assert.Contains("image: frontendImage", module.Value, StringComparison.Ordinal);
        Assert.Contains("identityId: identity.outputs.id", module.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_app_ports_are_no_silo_ports_of_any_generation()
    {
        // Exposed ports are unique across the environment: generation g, silo i takes 11111+100g+i and 30000+100g+i.
        var silo = PortVariable("controlSiloPort");
        var gateway = PortVariable("controlGatewayPort");
        var maxGeneration = MaxValue("siloGeneration");
        var maxSilos = MaxValue("siloCount");
        var siloPorts = Enumerable.Range(0, maxGeneration + 1).SelectMany(g => Enumerable.Range(0, maxSilos).SelectMany(i => new[] { 11111 + (100 * g) + i, 30000 + (100 * g) + i })).ToHashSet();
        Assert.Contains("var siloPortBase = 11111 + 100 * siloGeneration", Main, StringComparison.Ordinal);
        Assert.Contains("var gatewayPortBase = 30000 + 100 * siloGeneration", Main, StringComparison.Ordinal);
        Assert.DoesNotContain(silo, siloPorts);
        Assert.DoesNotContain(gateway, siloPorts);
        Assert.NotEqual(silo, gateway);
        Assert.DoesNotContain(36985, new[] { silo, gateway });
    }

    [Fact]
    public void Modules_are_local_files()
    {
        foreach (var (file, text) in Bicep)
        {
            foreach (Match module in ModuleReference().Matches(text))
            {
                var target = Path.Combine(Path.GetDirectoryName(Repository.PathOf(file))!, module.Groups[1].Value);
                Assert.True(File.Exists(target), $"{file}: module '{module.Groups[1].Value}' is not a local file");
            }
        }
    }

    private static int PortVariable(string name) =>
        Regex.Match(Main, $@"^var {name} = (\d+)$", RegexOptions.Multiline) is { Success: true } m
            ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : throw new Xunit.Sdk.XunitException($"main.bicep: no 'var {name} = <port>'");

    private static int MaxValue(string parameter) =>
        Regex.Match(Main, $@"@maxValue\((\d+)\)\s*param {parameter}\b") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : throw new Xunit.Sdk.XunitException($"main.bicep: no @maxValue on param {parameter}");

    [GeneratedRegex(@"^module control 'modules/control\.bicep' = \{.*?^\}$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ControlModule();

    [GeneratedRegex(@"^resource \w+ 'Microsoft\.App/containerApps@", RegexOptions.Multiline)]
    private static partial Regex ContainerApp();

    [GeneratedRegex(@"^param (?<name>\w+) \w+(?<default> = .+)?$", RegexOptions.Multiline)]
    private static partial Regex Parameters();

    [GeneratedRegex(@"@allowed\(\[([^\]]*)\]\)\s*param gpuProfile\b")]
    private static partial Regex AllowedGpuProfiles();

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"^var gpuProfiles = \{.*?^\}$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex GpuProfileMap();

    [GeneratedRegex(@"^  '(?<name>[^']+)': \{(?<body>.*?)^  \}", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex GpuProfileEntry();

    [GeneratedRegex(@"name: '((?:OLLM|OLLAMA|AZURE)_[A-Z_]+)'")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex(@"^module \w+ '([^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();
}
