using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Restarts;

/// <summary>Every rolling restart, running and finished, in step with its table; loaded when the dashboard starts.</summary>
public sealed class RollingRestartRegistry(RollingRestartStore store) : RecordRegistry<RollingRestart>(store, "rolling restart"), IHostedService
{
    private readonly Channel<bool> _work = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public async Task StartAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>Waits until there may be work (a rolling restart added, resumed or asked to cancel): the runner sleeps otherwise.</summary>
    public async Task WaitForWorkAsync(CancellationToken cancellationToken) => await _work.Reader.ReadAsync(cancellationToken);

    /// <summary>Wakes the runner.</summary>
    public void Signal() => _work.Writer.TryWrite(true);

    protected override void OnAdded() => Signal();

    public Task StopAsync(CancellationToken cancellationToken)
    {
        CompleteSubscribers();
        return Task.CompletedTask;
    }
}
