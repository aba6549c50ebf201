using SseVirtualization.Load;

// The load tool: each scenario starts what it measures on loopback, runs for a bounded time and stops it.
var scenario = args.FirstOrDefault();
var options = Options.Parse(args.Skip(1));
switch (scenario)
{
    case "sync":
        var run = await SyncScenario.RunAsync(options);
        return run.Rows.All(r => r.Failed == 0) ? 0 : 1;
    case "fanin":
        var result = await FanInScenario.RunAsync(options);
        return result.Received >= result.Accepted && result.Duplicates == 0 ? 0 : 1;
    case "connections":
        var held = await ConnectionsScenario.RunAsync(options);
        return held.Failed == 0 && held.WithHeartbeat == held.Connected ? 0 : 1;
    case "reconnect-storm":
        var storm = await ReconnectStormScenario.RunAsync(options);
        return storm.ServedAgain == storm.Clients ? 0 : 1;
    case "chaos":
        var phases = await ChaosScenario.RunAsync(options);
        return phases.All(p => p.Kept) ? 0 : 1;
    case "idle":
        await IdleScenario.RunAsync(options);
        return 0;
    case "connections-worker":
        return await ConnectionsWorker.RunAsync(options);
    default:
        Console.Error.WriteLine("""
            usage: dotnet run -c Release --project tests/Load -- <scenario> [options]
              sync    [--connections 64] [--duration 10] [--warmup 2] [--rate 0 (closed loop) | N per second] [--rounds 1]
                      [--targets direct,nginx,yarp,silo] [--out file.json]
              fanin   [--clients 1000] [--rate 1000] [--duration 10] [--warmup 5] [--gc server|workstation] [--silo-env NAME=value,...] [--out file.json]
                      [--profile (perf: CPU per invocation by stage)] [--label name] [--compare earlier.json] [--compare-label name]
                      [--beside-yarp (YARP's CPU per call at the same rate, first)] [--yarp-warmup 30]
              idle    [--silos 1] [--settle 120] [--duration 60] [--variants "NAME=value,...;NAME=value,...;" (one cluster each; empty: defaults)] [--out file.json]
              reconnect-storm [--clients 10000] [--missed 1] [--rate 1000] [--out file.json]
              chaos   [--silos 3] [--clients 30] [--rate 40] [--phase 15] [--gray-pause 30]
                      [--faults kill,gray,redis-restart,redis-pause,redis-full,hang,slowing,storm] [--out file.json]
              connections [--silos 6] [--clients 100000] [--per-worker 15000] [--hold 20] [--heartbeat 5] [--gc server|workstation]
                          [--gc-conserve 0-9 (DOTNET_GCConserveMemory)] [--warmup-streams 500 (per silo, before the baseline)] [--settle 30 (s at most)] [--baseline kestrel|none] [--idle 00:02:00 (Clients:IdleDeactivation)] [--out file.json]
            """);
        return 2;
}
