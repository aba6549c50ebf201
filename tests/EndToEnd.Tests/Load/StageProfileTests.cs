using SseVirtualization.Load;

namespace SseVirtualization.EndToEnd.Tests.Load;

/// <summary>How <c>fanin --profile</c> tells stages apart: by the first frame from the leaf up that names one.</summary>
public sealed class StageProfileTests
{
    private const string Kernel = "ffffffff8a1b2c3d tcp_sendmsg+0x1f ([kernel.kallsyms])";
    private const string Socket = "7f00000010 instance int32 [System.Net.Sockets] System.Net.Sockets.Socket::Send()[OptimizedTier1] (/tmp/perf-1.map)";

    [Fact]
    public void A_socket_write_belongs_to_whoever_made_it()
    {
        Assert.Equal("storage (Redis client)", StageProfile.StageOf(
            [Kernel, Socket, "7f00000020 instance void [StackExchange.Redis] StackExchange.Redis.PhysicalConnection::Flush() (/tmp/perf-1.map)",
             "7f00000030 instance void [Orleans.Runtime] Orleans.Runtime.WorkItemGroup::Execute() (/tmp/perf-1.map)"]));
        Assert.Equal("HTTP in, SSE out (Kestrel, ASP.NET Core)", StageProfile.StageOf(
            [Kernel, Socket, "7f00000020 void [Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets] SocketSender::SendAsync() (/tmp/perf-1.map)",
             "7f00000030 void [SseVirtualization.Gateway] SseVirtualization.Gateway.Connections.SseConnection::WriteAllAsync() (/tmp/perf-1.map)"]));
        Assert.Equal("Orleans messaging and scheduling", StageProfile.StageOf(
            [Kernel, Socket, "7f00000020 void [Orleans.Core] Orleans.Runtime.Messaging.Connection::ProcessOutgoing() (/tmp/perf-1.map)"]));
        Assert.Equal("our code (gateway, grains)", StageProfile.StageOf(
            [Kernel, "7f00000020 class [System.Runtime]System.Threading.Tasks.Task`1<class [Microsoft.AspNetCore.Http.Abstractions]Microsoft.AspNetCore.Http.IResult> [SseVirtualization.Gateway] SseVirtualization.Gateway.Invocation.InvokeEndpoint::InvokeAsync(class [Microsoft.AspNetCore.Http.Abstractions]Microsoft.AspNetCore.Http.HttpContext)[OptimizedTier1] (/tmp/perf-1.map)"]));
        Assert.Equal("runtime (GC, allocation, type checks)", StageProfile.StageOf(
            ["7f00000010 [unknown] (/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.0/libcoreclr.so)"]));
        Assert.Equal("sockets, thread-pool dispatch", StageProfile.StageOf(
            [Kernel, "7f00000020 instance void [System.Private.CoreLib] System.Runtime.CompilerServices.AsyncTaskMethodBuilder`1+AsyncStateMachineBox`1[System.Threading.Tasks.VoidTaskResult,SseVirtualization.Gateway.Connections.SseConnection+<WriteAllAsync>d__1]::MoveNext()[OptimizedTier1] (/tmp/perf-1.map)",
             "7f00000030 void [System.Private.CoreLib] System.Threading.ThreadPoolWorkQueue::Dispatch()[OptimizedTier1] (/tmp/perf-1.map)"]));
        Assert.Equal("sockets, thread-pool dispatch", StageProfile.StageOf(
            [Kernel, Socket, "7f00000020 void [System.Private.CoreLib] System.Threading.PortableThreadPool+WorkerThread::WorkerThreadStart() (/tmp/perf-1.map)"]));
    }

    [Fact]
    public void Compilation_allocation_and_idle_workers_are_their_own_stages_whoever_is_below()
    {
        Assert.Equal("JIT", StageProfile.StageOf(
            ["7f00000010 Compiler::compCompile (/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.0/libclrjit.so)", "7f00000020 start_thread (/usr/lib/libc.so.6)"]));
        Assert.Equal("runtime (GC, allocation, type checks)", StageProfile.StageOf(
            ["7f00000010 [unknown] (/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.0/libcoreclr.so)",
             "7f00000020 void [SseVirtualization.Grains] SseVirtualization.Grains.Clients.ClientGrain::PublishAsync() (/tmp/perf-1.map)"]));
        Assert.Equal("thread pool: idle workers", StageProfile.StageOf(
            ["ffffffff8a000001 do_sched_yield ([kernel.kallsyms])", "7f00000020 bool [System.Private.CoreLib] System.Threading.LowLevelLifoSemaphore::WaitForSignal(int32) (/tmp/perf-1.map)"]));
        Assert.Equal("kernel, no managed caller", StageProfile.StageOf(["ffffffff8a000001 finish_task_switch ([kernel.kallsyms])", "0 [unknown] ([unknown])"]));
    }

    [Fact]
    public void Methods_are_named_by_type_and_method_and_async_ones_by_the_method_that_awaits()
    {
        Assert.Equal("FunctionRouter.SendAsync", StageProfile.MethodName(
            "7f00000010 instance void [SseVirtualization.Grains] SseVirtualization.Grains.Functions.Routing.FunctionRouter+<>c+<<SendAsync>b__17_0>d::MoveNext()[OptimizedTier1] (/tmp/perf-1.map)"));
        Assert.Equal("JsonBody.ReadAsync", StageProfile.MethodName(
            "7f00000010 instance void [SseVirtualization.Gateway] SseVirtualization.Gateway.Http.JsonBody+<ReadAsync>d__1`1[System.__Canon]::MoveNext()[OptimizedTier1] (/tmp/perf-1.map)"));
        Assert.Equal("DictionaryCopier`2.DeepCopy", StageProfile.MethodName(
            "7f00000010 instance class X [Orleans.Serialization] Orleans.Serialization.Codecs.DictionaryCopier`2[System.__Canon,System.Collections.Generic.List`1[System.__Canon]]::DeepCopy(class X)[OptimizedTier1] (/tmp/perf-1.map)"));
        Assert.Equal("AggregatorStore.Update", StageProfile.MethodName(
            "7f00000010 instance void [System.Diagnostics.DiagnosticSource] System.Diagnostics.Metrics.AggregatorStore::Update(int64,class [System.Runtime]System.String)[OptimizedTier1] (/tmp/perf-1.map)"));
        Assert.Equal("tcp_sendmsg ([kernel.kallsyms])", StageProfile.MethodName(Kernel));
    }

    [Fact]
    public async Task The_stage_chart_draws_a_bar_per_run_for_every_stage()
    {
        var path = Path.Combine(Path.GetTempPath(), $"stages-{Guid.NewGuid():N}.svg");
        await SvgChart.WriteBarsAsync(path, "title", "µs", StageProfile.Stages,
            [("before", new() { ["JIT"] = 150 }), ("after", new() { ["JIT"] = 12, ["other"] = 250 })]);

        var svg = await File.ReadAllTextAsync(path);
        File.Delete(path);
        Assert.Equal(2 * StageProfile.Stages.Count + 2, svg.Split("<rect x=").Length - 1); // the bars and the two legend keys
        Assert.Contains(">250</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">before</text>", svg, StringComparison.Ordinal);
    }
}
