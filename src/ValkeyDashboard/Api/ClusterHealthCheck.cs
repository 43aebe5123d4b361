using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Api;

/// <summary>
/// The dashboard is healthy when the cluster it manages is <c>ok</c>; degraded (still HTTP 200: the
/// dashboard itself works and shows the problem) when the cluster fails or cannot be reached.
/// </summary>
internal sealed class ClusterHealthCheck(IClusterSnapshotSource monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = monitor.Current;
        var failed = snapshot.Nodes.Count(n => n.Health == NodeHealth.Failed);
        var data = new Dictionary<string, object>
        {
            ["state"] = JsonNamingPolicy.CamelCase.ConvertName(snapshot.State.ToString()),
            ["nodes"] = snapshot.Nodes.Length,
            ["failedNodes"] = failed,
            ["slotsAssigned"] = snapshot.SlotsAssigned,
        };
        var result = snapshot.State switch
        {
            ClusterState.Ok when failed == 0 => HealthCheckResult.Healthy("cluster_state:ok, every node online", data),
            ClusterState.Ok => HealthCheckResult.Degraded($"cluster_state:ok, {failed} node(s) failed", data: data),
            ClusterState.Fail => HealthCheckResult.Degraded($"cluster_state:fail ({snapshot.SlotsAssigned} of 16384 slots assigned, {failed} node(s) failed)", data: data),
            ClusterState.Unreachable => HealthCheckResult.Degraded($"cluster unreachable: {snapshot.Error}", data: data),
            _ => HealthCheckResult.Degraded("the cluster has not been read yet", data: data),
        };
        return Task.FromResult(result);
    }

    /// <summary>
    /// Writes <c>{ "status": "Healthy" }</c> for probes, which need no sign-in; a signed-in caller also gets
    /// <c>"description": …, "cluster": { … }</c>. The description can name internal endpoints and Valkey's own error
    /// text, which is nobody's business who has not signed in.
    /// </summary>
    public static Task WriteResponseAsync(HttpContext context, HealthReport report)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return context.Response.WriteAsJsonAsync(new { status = report.Status.ToString() });
        }

        var entry = report.Entries.Values.FirstOrDefault();
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            description = entry.Description,
            cluster = entry.Data,
        });
    }
}
