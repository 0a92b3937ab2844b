using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Templates.Tests.Ollama;

public class LevenshteinTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("same", "same", 0)]
    public void Distance_is_the_edit_distance(string a, string b, int expected) => Assert.Equal(expected, Levenshtein.Distance(a, b, 100));

    [Fact]
    public void Distances_at_or_over_the_limit_are_the_limit()
    {
        Assert.Equal(5, Levenshtein.Distance(new string('a', 50), new string('b', 50), 5));
        Assert.Equal(5, Levenshtein.Distance("a", new string('a', 100), 5));
        var a = new string('x', 20_000);
        Assert.Equal(99, Levenshtein.Distance(a, a[..19_901] + new string('y', 99), 100));
    }
}
