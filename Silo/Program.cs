using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddSiloDefaults();
builder.AddSseGateway();

var app = builder.Build();
app.MapSseGateway();
app.MapSiloObservability();
app.Run();
