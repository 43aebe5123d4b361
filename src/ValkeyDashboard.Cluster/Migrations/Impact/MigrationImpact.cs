namespace ValkeyDashboard.Cluster.Migrations.Impact;

/// <summary>
/// What a migration cost clients, as the dashboard's own probe client saw it while the migration ran: GET/SET latency
/// on keys in the moving slots and elsewhere, and the longest write pause at hand-over.
/// </summary>
/// <param name="P50Ms">Median latency of every probe operation, in milliseconds.</param>
/// <param name="P99Ms">99th percentile latency of every probe operation, in milliseconds.</param>
/// <param name="MaxPauseMs">
/// The longest a probe write to a moving slot waited from when it was due until it succeeded (retries after errors
/// included): the longest gap between successful writes to the moving slots beyond the probe's own pacing.
/// </param>
/// <param name="Probes">Probe operations that succeeded.</param>
/// <param name="Errors">Probe operations that failed (TRYAGAIN, timeouts, connection errors); they never fail the migration.</param>
/// <param name="Moving">The same figures for keys in the moving slots only.</param>
/// <param name="Elsewhere">The same figures for keys in other slots only.</param>
public sealed record MigrationImpact(
    double P50Ms,
    double P99Ms,
    double MaxPauseMs,
    long Probes,
    long Errors,
    ImpactLatency Moving,
    ImpactLatency Elsewhere);

/// <summary>Latency of one kind of probe key (moving slots, or elsewhere).</summary>
/// <param name="P50Ms">Median, in milliseconds.</param>
/// <param name="P99Ms">99th percentile, in milliseconds.</param>
/// <param name="Probes">Operations that succeeded.</param>
public sealed record ImpactLatency(double P50Ms, double P99Ms, long Probes);
