using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>The check every engine makes before it starts anything: the target answers and sees the cluster as ok.</summary>
internal static class TargetReadiness
{
    /// <summary>
    /// Throws <see cref="RequestRefusedException"/> (409, nothing started) when the target does not answer or reports a
    /// <c>cluster_state</c> other than ok: a node that joined a moment ago serves nothing until it sees the whole
    /// cluster, and clients sent to it would get CLUSTERDOWN.
    /// </summary>
    public static async Task RequireOkAsync(ValkeyAdminClient valkey, ClusterNode target)
    {
        string? state;
        try
        {
            state = (await valkey.ClusterInfoAsync(target.Endpoint))["cluster_state"];
        }
        catch (ValkeyException ex)
        {
            throw RequestRefusedException.Conflict($"target {target.Endpoint} did not answer, so nothing was started: {ex.Message}");
        }

        if (state != "ok")
        {
            throw RequestRefusedException.Conflict($"target {target.Endpoint} reports cluster_state:{state} (a node that has just joined needs a moment to learn the cluster); nothing was started");
        }
    }
}
