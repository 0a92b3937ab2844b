using YamlDotNet.RepresentationModel;

namespace OrleansLlm.Deployment.Tests;

/// <summary>azure.yaml, read with YamlDotNet's representation model: just the keys the tests look at.</summary>
internal sealed class AzureYaml
{
    private AzureYaml(YamlMappingNode root) => Root = root;

    public YamlMappingNode Root { get; }

    public static AzureYaml Load()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Repository.Read("azure.yaml"));
        stream.Load(reader);
        return new AzureYaml((YamlMappingNode)Assert.Single(stream.Documents).RootNode);
    }

    public IReadOnlyDictionary<string, YamlMappingNode> Services =>
        Mapping(Root, "services").Children.ToDictionary(e => Scalar(e.Key), e => (YamlMappingNode)e.Value);

    public static YamlMappingNode Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlMappingNode mapping
            ? mapping
            : throw new Xunit.Sdk.XunitException($"azure.yaml: '{key}' is not a mapping under {node.Start}");

    public static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? Scalar(value) : null;

    private static string Scalar(YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new Xunit.Sdk.XunitException($"azure.yaml: expected a scalar at {node.Start}");
}
