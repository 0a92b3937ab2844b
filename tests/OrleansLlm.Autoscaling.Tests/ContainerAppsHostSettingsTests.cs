using Microsoft.Extensions.Configuration;
using OrleansLlm.Grains.Autoscaling.ContainerApps;

namespace OrleansLlm.Autoscaling.Tests;

public sealed class ContainerAppsHostSettingsTests
{
    private static Dictionary<string, string?> Valid() => new()
    {
        ["OLLM_ACA_SUBSCRIPTION_ID"] = FakeArm.Subscription,
        ["OLLM_ACA_RESOURCE_GROUP"] = "rg-ollm-prod",
        ["OLLM_ACA_SILO_APPS"] = "ca-silo-g0-0-abc=NC24-A100@10.42.0.60:11111, ca-silo-g0-1-abc=NC48-A100@10.42.0.60:11112",
        ["OLLM_HOST_TYPES"] = "NC24-A100=cuda:80GiB@1;NC48-A100=2x80GiB@2",
    };

    [Fact]
    public void The_pool_its_types_and_the_public_cloud_are_read_from_the_environment()
    {
        var settings = ContainerAppsHostSettings.From(Configuration(Valid()));

        Assert.Equal(FakeArm.Subscription, settings.SubscriptionId);
        Assert.Equal("rg-ollm-prod", settings.ResourceGroup);
        Assert.Equal(
            [
                new ContainerAppsSiloApp("ca-silo-g0-0-abc", "NC24-A100", "10.42.0.60:11111"),
                new ContainerAppsSiloApp("ca-silo-g0-1-abc", "NC48-A100", "10.42.0.60:11112"),
            ],
            settings.Apps);
        Assert.Equal(["NC24-A100", "NC48-A100"], settings.HostTypes.Select(t => t.Name));
        Assert.Equal(2, settings.HostTypes[1].GpuMemory.Count);
        Assert.Equal(new Uri("https://management.azure.com/"), settings.ArmEndpoint);
        Assert.Null(settings.ManagedIdentityClientId);
    }

    [Fact]
    public void A_sovereign_arm_endpoint_and_the_managed_identity_are_taken_as_given()
    {
        var environment = Valid();
        environment["OLLM_ARM_ENDPOINT"] = "https://management.usgovcloudapi.net/";
        environment["AZURE_CLIENT_ID"] = "3b5e9a7c-1f2d-4c6b-8a90-7d1e2f3a4b5c";

        var settings = ContainerAppsHostSettings.From(Configuration(environment));

        Assert.Equal(new Uri("https://management.usgovcloudapi.net/"), settings.ArmEndpoint);
        Assert.Equal("3b5e9a7c-1f2d-4c6b-8a90-7d1e2f3a4b5c", settings.ManagedIdentityClientId);
    }

    [Theory]
    [InlineData("OLLM_ACA_SUBSCRIPTION_ID")]
    [InlineData("OLLM_ACA_RESOURCE_GROUP")]
    [InlineData("OLLM_ACA_SILO_APPS")]
    [InlineData("OLLM_HOST_TYPES")]
    public void A_missing_setting_is_named(string variable)
    {
        var environment = Valid();
        environment.Remove(variable);

        var error = Assert.Throws<InvalidOperationException>(() => ContainerAppsHostSettings.From(Configuration(environment)));

        Assert.StartsWith($"{variable} is not set", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OLLM_ACA_SUBSCRIPTION_ID", "my-subscription", "not a subscription id")]
    [InlineData("OLLM_ACA_RESOURCE_GROUP", "rg/other", "not a resource group name")]
    [InlineData("OLLM_ARM_ENDPOINT", "http://management.azure.com", "not an https URI")]
    [InlineData("OLLM_ARM_ENDPOINT", "management.azure.com", "not an https URI")]
    public void An_invalid_setting_is_named_with_its_value(string variable, string value, string why)
    {
        var environment = Valid();
        environment[variable] = value;

        var error = Assert.Throws<InvalidOperationException>(() => ContainerAppsHostSettings.From(Configuration(environment)));

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ca-silo-0@10.42.0.60:11111", "is not name=type@ip:port")]
    [InlineData("ca-silo-0=NC24-A100", "is not name=type@ip:port")]
    [InlineData("Ca_Silo=NC24-A100@10.42.0.60:11111", "is not a container app name")]
    [InlineData("ca-silo-0/../../x=NC24-A100@10.42.0.60:11111", "is not a container app name")]
    [InlineData("ca-silo-0=t4@10.42.0.60:11111", "type 't4' is not one of OLLM_HOST_TYPES (NC24-A100, NC48-A100)")]
    [InlineData("ca-silo-0=NC24-A100@silo.internal:11111", "is not the ip:port")]
    [InlineData("ca-silo-0=NC24-A100@10.42.0.60", "is not the ip:port")]
    [InlineData("ca-silo-0=NC24-A100@10.42.0.60:11111,ca-silo-0=NC24-A100@10.42.0.60:11112", "names 'ca-silo-0' twice")]
    [InlineData("ca-silo-0=NC24-A100@10.42.0.60:11111,ca-silo-1=NC24-A100@10.42.0.60:11111", "the same silo endpoint 10.42.0.60:11111")]
    [InlineData(" , ", "names no app")]
    public void A_malformed_pool_entry_is_named(string apps, string why)
    {
        var environment = Valid();
        environment["OLLM_ACA_SILO_APPS"] = apps;

        var error = Assert.Throws<FormatException>(() => ContainerAppsHostSettings.From(Configuration(environment)));

        Assert.StartsWith("OLLM_ACA_SILO_APPS", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NC24-A100=cuda:80GiB")]
    [InlineData(" ; ")]
    public void A_malformed_host_type_list_is_named(string types)
    {
        var environment = Valid();
        environment["OLLM_HOST_TYPES"] = types;

        var error = Assert.Throws<FormatException>(() => ContainerAppsHostSettings.From(Configuration(environment)));

        Assert.StartsWith("OLLM_HOST_TYPES", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> environment) =>
        new ConfigurationBuilder().AddInMemoryCollection(environment).Build();
}
