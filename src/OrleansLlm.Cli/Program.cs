using System.CommandLine;
using Microsoft.Extensions.Hosting;
using OrleansLlm.Cli;
using OrleansLlm.Server.Hosting;

var model = new Argument<string>("model") { Description = "model name, name[:tag]" };
var prompt = new Argument<string?>("prompt") { Description = "the prompt; without one, an interactive chat", Arity = ArgumentArity.ZeroOrOne };
var file = new Argument<string>("file") { Description = "a GGUF model file" };
var gpus = new Option<string>("--gpus") { Description = "GPUs to plan for, as OLLM_GPUS: 2x24GiB, cuda:80GiB,cuda:40GiB", DefaultValueFactory = _ => "" };
var context = new Option<int>("--ctx") { Description = "context length per sequence", DefaultValueFactory = _ => 2048 };
var parallel = new Option<int>("--parallel") { Description = "parallel sequences", DefaultValueFactory = _ => 1 };

var serve = new Command("serve", "run the server: front-end and silo in one process (the embedded default)");
serve.SetAction(async (_, cancellationToken) =>
{
    var app = OrleansLlmServer.Build([]);
    await app.StartAsync(cancellationToken);
    await app.WaitForShutdownAsync(cancellationToken);
    return 0;
});
var run = new Command("run", "generate from a model, or chat with it interactively") { model, prompt };
run.SetAction((result, cancellationToken) => Commands().Run(result.GetValue(model)!, result.GetValue(prompt), cancellationToken));
var ps = new Command("ps", "list the loaded models, where they run and until when");
ps.SetAction((_, cancellationToken) => Commands().Ps(cancellationToken));
var list = new Command("list", "list the models under the models root");
list.SetAction((_, cancellationToken) => Commands().List(cancellationToken));
var show = new Command("show", "show a model's details") { model };
show.SetAction((result, cancellationToken) => Commands().Show(result.GetValue(model)!, cancellationToken));
var stop = new Command("stop", "unload a model") { model };
stop.SetAction((result, cancellationToken) => Commands().Stop(result.GetValue(model)!, cancellationToken));
var plan = new Command("plan", "where a model would be placed on given GPUs, and what it would use (offline)") { file, gpus, context, parallel };
plan.SetAction(result => PlanCommand.Run(result.GetValue(file)!, result.GetValue(gpus)!, result.GetValue(context), result.GetValue(parallel), Console.Out));

var root = new RootCommand("ollm: an Ollama-compatible LLM cluster on Orleans") { serve, run, ps, list, show, stop, plan };
return await root.Parse(args).InvokeAsync();

static ServerCommands Commands() => new(
    new HttpClient { BaseAddress = new Uri(OrleansLlmServer.ListenUrl(Environment.GetEnvironmentVariable("OLLAMA_HOST"))), Timeout = Timeout.InfiniteTimeSpan },
    Console.Out,
    Console.In);
