using OrleansLlm.Server.Hosting;

var app = OllmServer.Build(args);
app.Run();
