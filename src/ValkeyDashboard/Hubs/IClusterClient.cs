using ValkeyDashboard.Api;

namespace ValkeyDashboard.Hubs;

/// <summary>What the dashboard pushes to every browser and SignalR client on <c>/hubs/cluster</c>.</summary>
public interface IClusterClient
{
    /// <summary>A migration was started (by anyone: UI, API or another dashboard user).</summary>
    Task MigrationCreated(MigrationResponse migration);

    /// <summary>A migration changed: state, a Valkey job state, or progress (at least twice a second while it runs).</summary>
    Task MigrationUpdated(MigrationResponse migration);

    /// <summary>A plan was started.</summary>
    Task PlanCreated(PlanResponse plan);

    /// <summary>A plan changed: a move started or ended, progress and ETA (at least twice a second while it runs).</summary>
    Task PlanUpdated(PlanResponse plan);

    /// <summary>A rolling restart was started.</summary>
    Task RollingRestartCreated(RollingRestartResponse rollingRestart);

    /// <summary>A rolling restart changed: a node's restart started, failed over, ended; paused, resumed, cancelled, finished.</summary>
    Task RollingRestartUpdated(RollingRestartResponse rollingRestart);

    /// <summary>The doctor's findings changed (a check-up found something new, or something went away).</summary>
    Task DoctorFindingsChanged(DoctorReportResponse report);

    /// <summary>A doctor fix was sent (by anyone), with the findings after it.</summary>
    Task DoctorFixApplied(DoctorFixResponse fix);

    /// <summary>The demo load started, stopped, or moved on (about once a second while it runs).</summary>
    Task LoadChanged(LoadResponse load);

    /// <summary>Nodes, roles, health, slot ownership or the cluster state changed.</summary>
    Task TopologyChanged(ClusterResponse cluster);

    /// <summary>Per-slot statistics of the latest poll, to connections that called <c>WatchSlotStatistics</c>.</summary>
    Task SlotStatisticsUpdated(SlotsResponse slots);
}
