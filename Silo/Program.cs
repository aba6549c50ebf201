using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddSiloDefaults();
builder.AddSseGateway();

var app = builder.Build();
app.UseSiloConsole();
app.MapSseGateway();
app.MapSiloObservability();
app.Run();
