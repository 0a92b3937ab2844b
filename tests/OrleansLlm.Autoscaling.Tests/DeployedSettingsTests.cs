using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using OrleansLlm.Grains.Autoscaling.ContainerApps;

namespace OrleansLlm.Autoscaling.Tests;

/// <summary>What infra/main.bicep gives the control app is what the provider reads, for every GPU profile.</summary>
public sealed partial class DeployedSettingsTests
{
    private static readonly string Main = File.ReadAllText(Path.Combine(RepositoryRoot(), "infra", "main.bicep"));

    public static TheoryData<string, string> Profiles()
    {
        var data = new TheoryData<string, string>();
        foreach (Match profile in GpuProfile().Matches(Main))
            data.Add(profile.Groups["name"].Value, profile.Groups["gpus"].Value);
        return data;
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void The_pool_main_bicep_writes_parses(string profile, string gpus)
    {
        var hostTypes = Template(HostTypes(), "hostTypes")
            .Replace("${gpuProfile}", profile, StringComparison.Ordinal)
            .Replace("${gpu.gpus}", gpus, StringComparison.Ordinal);
        var app = Template(SiloApp(), "OLLM_ACA_SILO_APPS");
        var apps = string.Join(',', Enumerable.Range(0, 3).Select(i => app
            .Replace("${siloNames[i]}", $"ca-silo-g9-{i}-q3vz7bd2xk4m6", StringComparison.Ordinal)
            .Replace("${gpuProfile}", profile, StringComparison.Ordinal)
            .Replace("${environment.outputs.staticIp}", "10.42.0.77", StringComparison.Ordinal)
            .Replace("${siloPortBase + i}", $"{12011 + i}", StringComparison.Ordinal)));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OLLM_ACA_SUBSCRIPTION_ID"] = FakeArm.Subscription,
            ["OLLM_ACA_RESOURCE_GROUP"] = "rg-ollm-prod",
            ["OLLM_ACA_SILO_APPS"] = apps,
            ["OLLM_HOST_TYPES"] = hostTypes,
            // az.environment().resourceManager of the public cloud.
            ["OLLM_ARM_ENDPOINT"] = "https://management.azure.com/",
        }).Build();

        var settings = ContainerAppsHostSettings.From(configuration);

        Assert.Equal(profile, Assert.Single(settings.HostTypes).Name);
        Assert.Equal(3, settings.Apps.Count);
        Assert.All(settings.Apps, a => Assert.Equal(profile, a.Type));
        Assert.Equal("10.42.0.77:12013", settings.Apps[2].SiloEndpoint);
    }

    private static string Template(Regex pattern, string what) =>
        pattern.Match(Main) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"main.bicep: {what} is not written as this test expects");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansLlm.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no OrleansLlm.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^  '(?<name>[^']+)': \{[^}]*?gpus: '(?<gpus>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex GpuProfile();

    [GeneratedRegex(@"^var hostTypes = '([^']+)'$", RegexOptions.Multiline)]
    private static partial Regex HostTypes();

    [GeneratedRegex(@"i => '([^']+)'\), ','\)")]
    private static partial Regex SiloApp();
}
