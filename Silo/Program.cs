using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Silo.Hosting;
using SseVirtualization.Silo.Samples;

// Settings (appsettings.json) and the console sit next to the binary: found wherever the silo is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (SiloStartCheck.Refusal(builder.Configuration) is { } refusal)
{
    return SiloStartCheck.Report(refusal);
}

builder.AddSiloDefaults();
builder.AddSseGateway();
builder.Services.AddHostedService<ShutdownWatchdog>(); // the process, not an in-process host, ends itself

try
{
    var app = builder.Build();
    app.Services.GetRequiredService<IStartupValidator>().Validate(); // what the host would check at start, before it logs anything
    app.UseSiloConsole();
    app.MapSseGateway();
    app.MapSiloObservability();
    app.MapSampleFunctions(); // on in the embedded default: what the README's quick start calls
    app.Run();
    return 0;
}
catch (OptionsValidationException invalid)
{
    // Settings the silo cannot run with (Gateway:, Security:, Functions: ...): named in one line, as the checks above.
    return SiloStartCheck.Report("Invalid configuration: " + string.Join(" ", invalid.Failures));
}
