using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>The models root is a boundary: links that lead out of it, of files or of directories, are not models.</summary>
public sealed class CatalogLinkTests : IDisposable
{
    private readonly string _base = Path.Combine(Path.GetTempPath(), "ollm-links-" + Guid.NewGuid().ToString("N"));
    private readonly string _root;
    private readonly string _outside;

    public CatalogLinkTests()
    {
        _root = Path.Combine(_base, "models");
        _outside = Path.Combine(_base, "secrets");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
        DemoModel.Write(Path.Combine(_outside, "latest.gguf"), DemoModelOptions.Tiny);
        DemoModel.Write(Path.Combine(_root, "inside.gguf"), DemoModelOptions.Tiny);
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public void A_directory_link_out_of_the_root_is_not_a_model_and_is_not_listed()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape"), _outside);
        var catalog = new ModelCatalog(_root);

        Assert.Null(catalog.Resolve("escape"));
        Assert.Null(catalog.Resolve("escape:latest"));
        Assert.DoesNotContain(catalog.List(), m => m.Name.StartsWith("escape", StringComparison.Ordinal));
        Assert.NotNull(catalog.Resolve("inside"));
    }

    [Fact]
    public void A_file_link_out_of_the_root_is_refused_and_links_that_stay_inside_are_served()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "leak.gguf"), Path.Combine(_outside, "latest.gguf"));
        Directory.CreateDirectory(Path.Combine(_root, "family"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "alias"), Path.Combine(_root, "family"));
        DemoModel.Write(Path.Combine(_root, "family", "v1.gguf"), DemoModelOptions.Tiny);
        var catalog = new ModelCatalog(_root);

        Assert.Null(catalog.Resolve("leak"));
        Assert.NotNull(catalog.Resolve("alias:v1"));
    }

    [Fact]
    public void A_root_reached_through_a_link_still_serves_its_models()
    {
        var linkedRoot = Path.Combine(_base, "models-link");
        Directory.CreateSymbolicLink(linkedRoot, _root);

        Assert.NotNull(new ModelCatalog(linkedRoot).Resolve("inside"));
    }
}
