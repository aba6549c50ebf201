using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions.Routing;

namespace SseVirtualization.Grains.Functions;

/// <summary>What every function call shares: the pooled HTTP client, the limits, telemetry and logging.</summary>
internal sealed partial class FunctionInvoker(
    IHttpClientFactory httpClientFactory, IOptions<FunctionOptions> options, FunctionTelemetry telemetry, ILogger<FunctionInvoker> logger)
{
    public const string HttpClientName = "functions";

    public HttpClient HttpClient => httpClientFactory.CreateClient(HttpClientName);

    public FunctionOptions Options => options.Value;

    /// <summary>
    /// Prepares one run. A relayed answer is passed on item by item and may carry up to
    /// <see cref="FunctionOptions.MaxStreamBytes"/>; a gathered one is held whole, so <see cref="FunctionOptions.MaxResponseBytes"/>.
    /// </summary>
    public FunctionInvocation Start(
        FunctionRouter router, FunctionStatisticsRecorder statistics, InvocationRequest request, TimeSpan timeout, bool relayed, CancellationToken cancellationToken) =>
        new(this, router, statistics, request, timeout, relayed ? Options.MaxStreamBytes : Options.MaxResponseBytes, cancellationToken);

    public void Record(InvocationResult result, FunctionStatisticsRecorder statistics)
    {
        telemetry.Record(result);
        statistics.Record(result);
    }

    public void LogUnreachable(string name, string requestId, string reason) => LogUnreachableMessage(logger, name, requestId, reason);
}
