using Microsoft.Extensions.Logging;

namespace SseVirtualization.Grains.Functions.Calls;

/// <summary>
/// The silo's function-call service (a singleton, one per silo): it opens the <see cref="FunctionRuntime"/> of each
/// function grain activated here. The grain keeps the registration and its state, single-threaded; the runtime
/// keeps what concurrent calls share (routing, limits, health, statistics, the running async invocations), each
/// registration version as its own router. See <c>docs/architecture.md</c>, "One concurrency story per grain".
/// </summary>
/// <remarks>Thread-safe and stateless itself: each runtime is owned by the activation that opened it.</remarks>
internal sealed class FunctionCalls(FunctionInvoker invoker, ILoggerFactory loggers, TimeProvider time, ILocalSiloDetails silo)
{
    /// <summary>A runtime for the activation of function <paramref name="name"/>; the activation disposes it.</summary>
    public FunctionRuntime Open(string name) => new(name, invoker, loggers, time, silo.SiloAddress.ToParsableString());
}
