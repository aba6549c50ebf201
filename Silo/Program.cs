using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Silo.Hosting;

// Settings (appsettings.json) and the console sit next to the binary: found wherever the silo is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddSiloDefaults();
builder.AddSseGateway();

var app = builder.Build();
app.UseSiloConsole();
app.MapSseGateway();
app.MapSiloObservability();
app.Run();
