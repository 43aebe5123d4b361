namespace ValkeyDashboard.Cluster.Load;

/// <summary>The demo load now, or the last one that ran.</summary>
/// <param name="Running">Whether a load runs.</param>
/// <param name="StartedBy">Who started it.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="StoppedAt">When it stopped (null while it runs).</param>
/// <param name="StopReason">Why it stopped: who stopped it, its duration ran out, the dashboard stopped, or an error.</param>
/// <param name="Parameters">What it does.</param>
/// <param name="OpsDone">Operations that succeeded.</param>
/// <param name="Errors">Operations that failed.</param>
/// <param name="RateAchieved">Operations per second achieved since the start.</param>
public sealed record DemoLoadState(
    bool Running,
    string? StartedBy,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    string? StopReason,
    DemoLoadParameters? Parameters,
    long OpsDone,
    long Errors,
    double RateAchieved)
{
    /// <summary>No load has run since the dashboard started.</summary>
    public static readonly DemoLoadState None = new(false, null, null, null, null, null, 0, 0, 0);
}

/// <summary>The demo load as the API and the page see it: its state, whether it may run here, start and stop (audited).</summary>
public interface IDemoLoad
{
    DemoLoadState Current { get; }

    /// <summary>Null when the load may run on this cluster, else why not (External mode without <c>Dashboard:Load:AllowExternal</c>).</summary>
    string? NotAllowedReason { get; }

    /// <summary>Starts a load; refused (<see cref="RequestRefusedException"/>) for invalid values, when one runs or when not allowed.</summary>
    Task<DemoLoadState> StartAsync(int? keys, int? valueBytes, int? opsPerSecond, string? skew, int? durationSeconds, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Stops the running load; refused (conflict) when none runs.</summary>
    Task<DemoLoadState> StopAsync(string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>The state at once, then every change (start, stop, about once a second while it runs).</summary>
    IAsyncEnumerable<DemoLoadState> WatchAsync(CancellationToken cancellationToken = default);
}
