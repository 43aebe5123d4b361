using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Components.Tests;

/// <summary>Rolling restarts of <see cref="TestSnapshots"/>' cluster as the service plans them: replicas first, then each primary through a failover.</summary>
internal static class TestRestarts
{
    public static readonly DateTimeOffset CreatedAt = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The six steps: the replicas 7003-7005 in place, then the primaries 7000-7002 each failing over to its replica.</summary>
    public static ImmutableArray<RestartStep> Steps(bool failBack = false) =>
    [
        .. Enumerable.Range(0, 3).Select(i => new RestartStep
        {
            NodeId = TestSnapshots.ReplicaIds[i],
            Endpoint = $"127.0.0.1:{7003 + i}",
            Role = "replica",
            Plan = $"restart replica 127.0.0.1:{7003 + i} in place and wait until it is in sync again; its primary 127.0.0.1:{7000 + i} keeps serving",
        }),
        .. Enumerable.Range(0, 3).Select(i => new RestartStep
        {
            NodeId = TestSnapshots.PrimaryIds[i],
            Endpoint = $"127.0.0.1:{7000 + i}",
            Role = "primary",
            Plan = $"fail primary 127.0.0.1:{7000 + i} over to its in-sync replica 127.0.0.1:{7003 + i}, restart 127.0.0.1:{7000 + i}" +
                (failBack ? ", then fail back to it" : "; it comes back as a replica"),
        }),
    ];

    public static RollingRestart Running(string id, ImmutableArray<RestartStep> steps) => new()
    {
        Id = id,
        State = RollingRestartState.Running,
        Steps = steps,
        RequestedBy = "alice",
        CreatedAt = CreatedAt,
    };

    /// <summary><paramref name="rolling"/> with step <paramref name="index"/> changed by <paramref name="change"/>.</summary>
    public static RollingRestart WithStep(this RollingRestart rolling, int index, Func<RestartStep, RestartStep> change) =>
        rolling with { Steps = rolling.Steps.SetItem(index, change(rolling.Steps[index])) };
}
