using OrleansLlm.Cli;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

public sealed class CliTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public void Plan_prints_the_split_of_a_70b_model_over_two_24_gib_gpus_offline()
    {
        // Outside the models root: /api/tags would otherwise hash its 40 GB (sparse) of zeros.
        var path = Path.Combine(Path.GetTempPath(), $"ollm-plan-{Guid.NewGuid():N}.gguf");
        ShapedModel.Write(path, ShapedModelSpec.Llama3_70B_Q4_K_M with { VocabSize = 2000, MergeCount = 0 });
        var output = new StringWriter();

        int exit;
        try
        {
            exit = PlanCommand.Run(path, "2x24GiB", 2048, 1, output);
        }
        finally
        {
            File.Delete(path);
        }

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("81 of 81 on GPU", text, StringComparison.Ordinal);
        Assert.Contains("GPU 0 (cuda, 24 GiB)", text, StringComparison.Ordinal);
        Assert.Contains("GPU 1 (cuda, 24 GiB)", text, StringComparison.Ordinal);
        Assert.Matches(@"VRAM\s+\d+(\.\d)? GiB", text);
    }

    [Fact]
    public void Plan_refuses_a_bad_gpu_list_and_a_file_that_is_not_gguf()
    {
        var output = new StringWriter();
        var junk = Path.Combine(server.ModelsRoot, "junk.bin");
        File.WriteAllText(junk, "not a model");

        Assert.Equal(1, PlanCommand.Run(junk, "24GiB", 2048, 1, output));
        Assert.Contains("not a GGUF file", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, PlanCommand.Run(Path.Combine(server.ModelsRoot, "demo", "latest.gguf"), "tpu:8GiB", 2048, 1, output));
        Assert.Contains("--gpus entry", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_list_show_ps_and_stop_talk_to_the_server()
    {
        var output = new StringWriter();
        var cli = new ServerCommands(server.Http, output, new StringReader(""));

        Assert.Equal(0, await cli.Run("demo", "hello", CancellationToken.None));
        Assert.Equal(0, await cli.List(CancellationToken.None));
        Assert.Equal(0, await cli.Show("demo", CancellationToken.None));
        Assert.Equal(0, await cli.Ps(CancellationToken.None));
        Assert.Equal(0, await cli.Stop("demo", CancellationToken.None));
        Assert.Equal(1, await cli.Show("missing", CancellationToken.None));

        var text = output.ToString();
        Assert.Contains("demo:latest", text, StringComparison.Ordinal);
        Assert.Contains("architecture   llama", text, StringComparison.Ordinal);
        // The fixture's server has no GPU: the model is idle on the CPU, no GPU column.
        Assert.Matches(@"demo:latest\s+\S+ \S+\s+100% CPU\s+idle\s+127\.0\.0\.1:\d+@\d+\s+-\s", text);
        Assert.Contains("stopped demo", text, StringComparison.Ordinal);
        Assert.Contains("error: model 'missing' not found", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_without_a_prompt_chats_line_by_line()
    {
        var output = new StringWriter();
        var cli = new ServerCommands(server.Http, output, new StringReader("hi\nand again\n\n"));

        Assert.Equal(0, await cli.Run("demo", null, CancellationToken.None));
        Assert.Contains("chatting with demo", output.ToString(), StringComparison.Ordinal);
    }
}
