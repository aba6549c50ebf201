using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// The fastest function we can stand up: Debian's nginx answering a fixed JSON body to any POST, so the
/// baseline measures the load tool and the network, not a stub's own work.
/// </summary>
internal sealed class NginxStub : IAsyncDisposable
{
    private readonly NginxProcess _nginx;

    private NginxStub(NginxProcess nginx) => _nginx = nginx;

    public Uri Url => new(_nginx.BaseAddress, "fn");

    public static async Task<NginxStub> StartAsync()
    {
        var nginx = await NginxProcess.StartAsync(
            port => $$"""
                keepalive_requests 1000000;
                server {
                    listen 127.0.0.1:{{port}} backlog=4096;
                    location / {
                        default_type application/json;
                        return 200 '{"ok":true,"source":"nginx"}';
                    }
                }
                """,
            async baseAddress =>
            {
                using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                using var response = await probe.PostAsync(new Uri(baseAddress, "fn"), new StringContent("{}"));
                return response.IsSuccessStatusCode;
            },
            workerConnections: 4096);
        return new NginxStub(nginx);
    }

    public ValueTask DisposeAsync() => _nginx.DisposeAsync();
}
