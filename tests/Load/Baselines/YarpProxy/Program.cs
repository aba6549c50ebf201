using Yarp.ReverseProxy.Configuration;

// YARP as a plain reverse proxy: every request to the one destination given as --destination, nothing else in the
// pipeline. Listens where --urls says (the load tool gives a free loopback port).
var builder = WebApplication.CreateBuilder(args);
var destination = builder.Configuration["destination"]
    ?? throw new InvalidOperationException("--destination http://host:port/ is required");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "destination", Match = new RouteMatch { Path = "{**rest}" } }],
    [new ClusterConfig { ClusterId = "destination", Destinations = new Dictionary<string, DestinationConfig> { ["only"] = new() { Address = destination } } }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
