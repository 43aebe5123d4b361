using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Doctor;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// Pushes one cluster's doctor to the hub clients that watch it: the findings whenever they change (the doctor checks by itself every
/// <c>Dashboard:Doctor:CheckInterval</c> and on every API call), and each fix sent. Through each connection's own queue
/// (<see cref="ClusterHubConnections"/>), like every other push.
/// </summary>
public sealed class DoctorBroadcaster(ClusterHubConnections hub, Clusters.ClusterName name, IClusterDoctor doctor, ILogger<DoctorBroadcaster> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            PushAsync(doctor.WatchAsync(stoppingToken), report => hub.ToCluster(name.Value, client => client.DoctorFindingsChanged(DoctorReportResponse.From(report) with { ClusterName = name.Value })), stoppingToken),
            PushAsync(doctor.WatchFixesAsync(stoppingToken), fix => hub.ToCluster(name.Value, client => client.DoctorFixApplied(DoctorFixResponse.From(fix) with { ClusterName = name.Value })), stoppingToken));

    private async Task PushAsync<T>(IAsyncEnumerable<T> items, Action<T> push, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var item in items)
            {
                try
                {
                    push(item);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Could not push the doctor's {Item} to hub clients", typeof(T).Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
