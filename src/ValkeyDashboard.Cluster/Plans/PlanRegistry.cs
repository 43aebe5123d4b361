using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using ValkeyDashboard.Cluster.Storage;
using ValkeyDashboard.Cluster.Telemetry;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>
/// Every plan, running and finished, in step with the <c>plans</c> table; loaded when the dashboard starts. Each change
/// is reported to <paramref name="telemetry"/> (the plan's span).
/// </summary>
public sealed class PlanRegistry(PlanStore store, OperationTelemetry? telemetry = null) : RecordRegistry<Plan>(store, "plan"), IHostedService
{
    private readonly Channel<bool> _work = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public async Task StartAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>Waits until a plan is added (returns at once when one was added since the last wait): the runner sleeps while no plan runs.</summary>
    public async Task WaitForWorkAsync(CancellationToken cancellationToken) => await _work.Reader.ReadAsync(cancellationToken);

    protected override void OnAdded() => _work.Writer.TryWrite(true);

    protected override void OnChanged(Plan? before, Plan after) => telemetry?.PlanChanged(before, after);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        CompleteSubscribers();
        return Task.CompletedTask;
    }
}
