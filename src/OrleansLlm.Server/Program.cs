using OrleansLlm.Server.Hosting;

// `--verbose` is ours (the frameworks' start-up detail), not a configuration key.
var builder = WebApplication.CreateBuilder(args.Where(a => a != StartupBanner.VerboseSwitch).ToArray());
StartupBanner.QuietFrameworks(builder, args);
builder.AddOrleansLlmServer();

var app = builder.Build();
app.MapOrleansLlmEndpoints();
app.Run();
