using OrleansLlm.Templates.GoTemplates;

namespace OrleansLlm.Templates.Tests.GoTemplates;

public class GoFloatTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(5.0, "5")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(100000.0, "100000")]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(123456789.0, "1.23456789e+08")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1e21, "1e+21")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Verb_v_prints_as_go_fmt(double value, string expected) => Assert.Equal(expected, GoFloat.Verb(value));

    [Theory]
    [InlineData(5.0, "5")]
    [InlineData(1000000.0, "1000000")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(-1.5e-10, "-1.5e-10")]
    public void Json_prints_as_encoding_json(double value, string expected) => Assert.Equal(expected, GoFloat.Json(value));

    [Fact]
    public void Json_escapes_html_and_control_characters_and_sorts_keys()
    {
        var value = new Dictionary<string, object?> { ["z"] = "a<b>&\"\n\u0001é", ["a"] = new List<object?> { true, null, 1L } };
        Assert.Equal("{\"a\":[true,null,1],\"z\":\"a\\u003cb\\u003e\\u0026\\\"\\n\\u0001é\"}", GoJson.Marshal(value));
    }
}
