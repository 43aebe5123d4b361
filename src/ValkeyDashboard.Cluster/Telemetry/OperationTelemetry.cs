using System.Diagnostics;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Cluster.Telemetry;

/// <summary>
/// What the migration and plan registries report as their records change: one span per plan, one per migration (a
/// child of its plan's, or of the request that started it) with one child span per job (source), each ending when its
/// record reaches a final state; and the finished migration's figures in <see cref="DashboardMetrics"/>. Spans are
/// made only while something listens to <see cref="DashboardMetrics.ActivitySourceName"/> (OTLP configured, a test).
/// </summary>
public sealed class OperationTelemetry(DashboardMetrics metrics) : IDisposable
{
    /// <summary>The span attribute naming the cluster (its <see cref="MetricsCluster"/> label).</summary>
    public const string ClusterTag = "valkey_dashboard.cluster";

    private readonly ActivitySource _source = new(DashboardMetrics.ActivitySourceName);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Activity> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Activity> _migrations = new(StringComparer.Ordinal);
    private readonly Dictionary<(string MigrationId, int Job), Activity> _jobs = [];

    /// <summary>A migration was added (<paramref name="before"/> null) or changed.</summary>
    public void MigrationChanged(Migration? before, Migration after)
    {
        if (after.IsFinished && before is not { IsFinished: true })
        {
            metrics.RecordMigrationFinished(after);
        }

        if (before is { IsFinished: true })
        {
            return;
        }

        Traced(() =>
        {
            if (!_migrations.TryGetValue(after.Id, out var span))
            {
                var parent = after.PlanId is not null && _plans.TryGetValue(after.PlanId, out var plan) ? plan.Context : default;
                span = Start("migration", parent, after.StartedAt ?? after.CreatedAt);
                if (span is null)
                {
                    return;
                }

                span.SetTag(ClusterTag, metrics.Cluster.Label);
                span.SetTag("valkey_dashboard.migration.id", after.Id);
                span.SetTag("valkey_dashboard.migration.slots", after.Slots.ToString());
                span.SetTag("valkey_dashboard.migration.target", after.TargetEndpoint);
                span.SetTag("valkey_dashboard.migration.engine", after.Engine);
                span.SetTag("valkey_dashboard.plan.id", after.PlanId);
                _migrations[after.Id] = span;
            }

            for (var i = 0; i < after.Jobs.Length; i++)
            {
                TraceJob(after.Id, i, after.Jobs[i], span, after.IsFinished);
            }

            if (after.IsFinished)
            {
                span.SetTag("valkey_dashboard.migration.keys_moved", after.KeysMoved);
                span.SetTag("valkey_dashboard.migration.bytes_moved", after.BytesMoved);
                End(span, MetricLabels.Of(after.State), after.State == MigrationState.Failed ? after.Error : null, after.FinishedAt);
                _migrations.Remove(after.Id);
            }
        });
    }

    /// <summary>A plan was added (<paramref name="before"/> null) or changed.</summary>
    public void PlanChanged(Plan? before, Plan after)
    {
        if (before is { IsFinished: true })
        {
            return;
        }

        Traced(() =>
        {
            if (!_plans.TryGetValue(after.Id, out var span))
            {
                span = Start("plan", default, after.StartedAt ?? after.CreatedAt);
                if (span is null)
                {
                    return;
                }

                span.SetTag(ClusterTag, metrics.Cluster.Label);
                span.SetTag("valkey_dashboard.plan.id", after.Id);
                span.SetTag("valkey_dashboard.plan.kind", MetricLabels.Of(after.Kind));
                span.SetTag("valkey_dashboard.plan.metric", MetricLabels.Of(after.Metric));
                span.SetTag("valkey_dashboard.plan.moves", after.Moves.Length);
                _plans[after.Id] = span;
            }

            if (after.IsFinished)
            {
                End(span, MetricLabels.Of(after.State), after.State == PlanState.Failed ? after.Error : null, after.FinishedAt);
                _plans.Remove(after.Id);
            }
        });
    }

    private void TraceJob(string migrationId, int index, MigrationJob job, Activity migration, bool migrationFinished)
    {
        var key = (migrationId, index);
        var started = job.StartedAt is not null || job.State != MigrationState.Pending;
        if (!_jobs.TryGetValue(key, out var span))
        {
            if (!started)
            {
                return;
            }

            span = Start("migration.job", migration.Context, job.StartedAt ?? DateTimeOffset.UtcNow);
            if (span is null)
            {
                return;
            }

            span.SetTag("valkey_dashboard.job.source", job.SourceEndpoint);
            span.SetTag("valkey_dashboard.job.slots", job.Slots.ToString());
            _jobs[key] = span;
        }

        if (job.IsFinished || migrationFinished)
        {
            span.SetTag("valkey_dashboard.job.valkey_name", job.ValkeyJobName);
            span.SetTag("valkey_dashboard.job.keys_moved", job.KeysMoved);
            End(span, MetricLabels.Of(job.State), job.State == MigrationState.Failed ? job.Message : null, job.FinishedAt);
            _jobs.Remove(key);
        }
    }

    private Activity? Start(string name, ActivityContext parent, DateTimeOffset startTime) =>
        _source.StartActivity(ActivityKind.Internal, parent, startTime: startTime, name: name);

    private static void End(Activity span, string state, string? error, DateTimeOffset? finishedAt)
    {
        span.SetTag("valkey_dashboard.state", state);
        if (error is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, error);
        }

        if (finishedAt is { } end && end.UtcDateTime >= span.StartTimeUtc)
        {
            span.SetEndTime(end.UtcDateTime);
        }

        span.Stop();
    }

    /// <summary>
    /// Runs a change of spans under the lock and leaves <see cref="Activity.Current"/> as it was: these spans outlive the
    /// call that starts or ends them (the tracker's loop, a request), which must not carry them on as its own context.
    /// </summary>
    private void Traced(Action change)
    {
        if (!_source.HasListeners() && _plans.Count == 0 && _migrations.Count == 0)
        {
            return;
        }

        var outer = Activity.Current;
        try
        {
            lock (_lock)
            {
                change();
            }
        }
        finally
        {
            Activity.Current = outer;
        }
    }

    public void Dispose() => _source.Dispose();
}
