using Microsoft.Extensions.Hosting;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>Every plan, running and finished, in step with the <c>plans</c> table; loaded when the dashboard starts.</summary>
public sealed class PlanRegistry(PlanStore store) : RecordRegistry<Plan>(store, "plan"), IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        CompleteSubscribers();
        return Task.CompletedTask;
    }
}
