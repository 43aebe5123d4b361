using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Restarts;

/// <summary>
/// Carries out rolling restarts, one node at a time in the order planned, each through <see cref="NodeRestarter"/>
/// and waited for; a pause or a cancel takes effect between two nodes. A node whose shard a migration or plan is moving
/// waits for it; a node that cannot be restarted safely (the cluster is not ok, no replica in sync) is retried for
/// <c>Valkey:Embedded:StartupTimeout</c>, then the rolling restart fails there and leaves the nodes after it alone.
/// A rolling restart found running when the dashboard starts is paused until an operator resumes it.
/// </summary>
public sealed class RollingRestartRunner(
    RollingRestartRegistry registry,
    NodeRestarter restarter,
    LocalClusterHost host,
    AuditLog audit,
    IOptions<ValkeyOptions> options,
    TimeProvider time,
    ILogger<RollingRestartRunner> logger) : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var found in registry.Active.Where(r => r.State == RollingRestartState.Running))
        {
            logger.LogWarning("Rolling restart {Id} was running when the dashboard stopped; it is paused until an operator resumes it", found.Id);
            var paused = registry.Update(found.Id, r => r with
            {
                State = RollingRestartState.Paused,
                PauseRequested = false,
                Steps = [.. r.Steps.Select(s => s.State == RestartStepState.Running ? s with { State = RestartStepState.Pending, Message = "interrupted by a restart of the dashboard: restarted again on resume" } : s)],
                Error = "paused: the dashboard restarted during this rolling restart; resume to continue",
            });
            await registry.SaveAsync(paused, cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var current = registry.Active.FirstOrDefault(r => r.State == RollingRestartState.Running || r.CancelRequested);
                if (current is null)
                {
                    await registry.WaitForWorkAsync(stoppingToken);
                    continue;
                }

                try
                {
                    await StepAsync(current.Id, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Rolling restart {Id} stopped on an unexpected error", current.Id);
                    await FinishAsync(current.Id, RollingRestartState.Failed, $"stopped on an unexpected error: {ErrorText.Brief(ex)}", stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Restarts the next node of rolling restart <paramref name="id"/>, or ends, pauses or cancels it.</summary>
    private async Task StepAsync(string id, CancellationToken stoppingToken)
    {
        var rolling = registry.Find(id)!;
        if (rolling.CancelRequested)
        {
            await FinishAsync(id, RollingRestartState.Cancelled, rolling.Error, stoppingToken);
            return;
        }

        if (rolling.PauseRequested)
        {
            await SaveAsync(registry.Update(id, r => r with { State = RollingRestartState.Paused, PauseRequested = false, Error = "paused; resume to continue" }), stoppingToken);
            return;
        }

        var index = rolling.Steps.IndexOf(rolling.Steps.FirstOrDefault(s => s.State == RestartStepState.Pending)!);
        if (index < 0)
        {
            await FinishAsync(id, RollingRestartState.Succeeded, null, stoppingToken);
            return;
        }

        var step = rolling.Steps[index];
        var pid = host.FindNode(step.Endpoint)?.ProcessId;
        await SaveAsync(UpdateStep(id, index, s => s with { State = RestartStepState.Running, StartedAt = time.GetUtcNow(), ProcessIdBefore = pid, Message = "starting" }), stoppingToken);

        var deadline = time.GetUtcNow() + options.Value.Embedded.StartupTimeout;
        while (true)
        {
            // A step waits as long as a migration or plan moves slots (it may be on this node's shard), and up to the
            // start-up timeout for the cluster to become restartable (ok, a replica in sync); then it fails.
            if (registry.Find(id)!.CancelRequested)
            {
                await SaveAsync(UpdateStep(id, index, s => s with { State = RestartStepState.Pending, Message = null }), stoppingToken);
                return;
            }

            try
            {
                var progress = new Progress(this, id, index);
                var (plan, node) = await restarter.RestartAsync(step.NodeId, rolling.FailBack, progress, waitForTurn: true, stoppingToken);
                var after = host.FindNode(step.Endpoint)?.ProcessId;
                await SaveAsync(UpdateStep(id, index, s => s with
                {
                    State = RestartStepState.Succeeded,
                    FinishedAt = time.GetUtcNow(),
                    ProcessIdAfter = after,
                    VersionAfter = node.Version,
                    Message = $"restarted: now {(node.IsPrimary ? "primary" : "replica")}" + (node.Version is null ? string.Empty : $" on Valkey {node.Version}"),
                }), stoppingToken);
                await audit.RecordAsync($"rolling restart {id}", AuditActions.NodeRestart, step.Endpoint, AuditOutcome.Accepted, plan.Description, stoppingToken);
                return;
            }
            catch (RequestRefusedException ex) when (ex.Kind == RefusalKind.Conflict && (restarter.Busy().Any() || time.GetUtcNow() < deadline))
            {
                await SaveAsync(UpdateStep(id, index, s => s with { Message = $"waiting: {ex.Message}" }), stoppingToken);
                await Task.Delay(RetryInterval, time, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var reason = ex is RequestRefusedException ? ex.Message : ErrorText.Brief(ex);
                await SaveAsync(UpdateStep(id, index, s => s with { State = RestartStepState.Failed, FinishedAt = time.GetUtcNow(), Message = reason }), stoppingToken);
                await audit.RecordAsync($"rolling restart {id}", AuditActions.NodeRestart, step.Endpoint, AuditOutcome.Failed, reason, stoppingToken);
                await FinishAsync(id, RollingRestartState.Failed, $"{step.Endpoint}: {reason}; the nodes after it were not restarted", stoppingToken);
                return;
            }
        }
    }

    private async Task FinishAsync(string id, RollingRestartState state, string? error, CancellationToken cancellationToken)
    {
        var finished = registry.Update(id, r => r with
        {
            State = state,
            FinishedAt = time.GetUtcNow(),
            Error = error,
            Steps = [.. r.Steps.Select(s => s.State is RestartStepState.Pending or RestartStepState.Running ? s with { State = RestartStepState.Skipped } : s)],
        });
        await SaveAsync(finished, cancellationToken);
        logger.LogInformation("Rolling restart {Id} ended {State}: {Restarted} of {Total} nodes restarted", id, state,
            finished.Steps.Count(s => s.State == RestartStepState.Succeeded), finished.Steps.Length);
    }

    private RollingRestart UpdateStep(string id, int index, Func<RestartStep, RestartStep> change) =>
        registry.Update(id, r => r with { Steps = r.Steps.SetItem(index, change(r.Steps[index])) });

    private async Task SaveAsync(RollingRestart record, CancellationToken cancellationToken) =>
        await registry.SaveAsync(record, cancellationToken);

    /// <summary>What the node being restarted is doing, shown on its step as it happens.</summary>
    private sealed class Progress(RollingRestartRunner runner, string id, int index) : IProgress<string>
    {
        public void Report(string value) => runner.UpdateStep(id, index, s => s with { Message = value });
    }
}
