using OrleansLlm.Server.Api;

namespace OrleansLlm.Server.Tests;

public sealed class ClientErrorsTests
{
    [Fact]
    public void A_model_path_becomes_the_file_as_the_models_root_names_it()
    {
        Assert.Equal("model 'demo/latest.gguf' failed", ClientErrors.WithoutPaths("model '/srv/models/demo/latest.gguf' failed"));
    }

    [Fact]
    public void With_a_catalog_a_model_path_becomes_the_models_name_and_an_unknown_one_its_file()
    {
        string? NameOf(string path) => path == "/srv/models/large.gguf" ? "large:latest" : null;

        Assert.Equal("waiting for busy model 'large:latest' to go idle", ClientErrors.WithoutPaths("waiting for busy model '/srv/models/large.gguf' to go idle", NameOf));
        Assert.Equal("to make room: large:latest, other/x.gguf", ClientErrors.WithoutPaths("to make room: /srv/models/large.gguf, /srv/other/x.gguf", NameOf));
    }
}
