using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Doctor;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard.Api;

/// <summary>The clusters the dashboard manages (<c>Valkey:Clusters</c>), each with its live figures.</summary>
public static class ClustersApi
{
    public static IEndpointRouteBuilder MapClustersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(ClusterRouting.Prefix).WithTags("Clusters");

        api.MapGet("/", List)
            .WithName("ListClusters")
            .WithSummary("Every cluster the dashboard manages (those the token may use), with its state and live figures")
            .WithDescription("Per cluster: name, mode, state, nodes, slots covered, keys, used memory, running migrations and plans, doctor findings, " +
                "and links to its API. Every API under /api/… is also served under /api/clusters/{name}/… for that cluster; /api/… is the default (first) cluster.");

        api.MapGet("/{name}", Get)
            .WithName("GetClusterSummary")
            .WithSummary("One cluster's state and live figures")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static Ok<ClusterListResponse> List(HttpContext context, DashboardClusters clusters) =>
        TypedResults.Ok(new ClusterListResponse([.. clusters.All.Where(c => ClusterRouting.MayUse(context.User, c.Name)).Select(ClusterSummaryResponse.From)]));

    /// <remarks>The routing step has resolved the name (404 for an unknown one) and checked the token (403).</remarks>
    public static Ok<ClusterSummaryResponse> Get(string name, HttpContext context) =>
        TypedResults.Ok(ClusterSummaryResponse.From(context.Features.Get<ClusterFeature>()!.Cluster!));
}

/// <summary>Every cluster the caller may use, the default first.</summary>
public sealed record ClusterListResponse(IReadOnlyList<ClusterSummaryResponse> Items);

/// <summary>One cluster as its monitor, migrations, plans and doctor see it now.</summary>
/// <param name="Name">Its name in routes and token limits.</param>
/// <param name="Default">Served by the unprefixed /api/… routes too.</param>
/// <param name="Mode">embedded or external.</param>
/// <param name="State">ok, fail, unreachable or unknown (not read yet).</param>
/// <param name="Nodes">Nodes known, primaries and replicas.</param>
/// <param name="SlotsCovered">Slots assigned to a primary (16384 when fully covered).</param>
/// <param name="Keys">Keys on the primaries.</param>
/// <param name="UsedMemoryBytes">used_memory summed over every node that answered.</param>
/// <param name="RunningMigrations">Migrations not finished.</param>
/// <param name="RunningPlans">Plans not finished.</param>
/// <param name="DoctorFindings">Findings of the doctor's last check.</param>
/// <param name="Error">Why the cluster could not be read, when it could not.</param>
/// <param name="Links">Its API: cluster, slots, migrations, plans, doctor, audit.</param>
public sealed record ClusterSummaryResponse(
    string Name,
    bool Default,
    ValkeyMode Mode,
    ClusterState State,
    int Nodes,
    int SlotsCovered,
    long Keys,
    long UsedMemoryBytes,
    int RunningMigrations,
    int RunningPlans,
    int DoctorFindings,
    string? Error,
    IReadOnlyDictionary<string, string> Links)
{
    public static ClusterSummaryResponse From(DashboardCluster cluster)
    {
        var services = cluster.Services;
        var snapshot = services.GetRequiredService<IClusterSnapshotSource>().Current;
        var root = $"{ClusterRouting.Prefix}/{cluster.Name}";
        return new(
            cluster.Name,
            cluster.IsDefault,
            cluster.Mode,
            snapshot.State,
            snapshot.Nodes.Length,
            snapshot.SlotsAssigned,
            snapshot.Primaries.Sum(n => n.Keys ?? 0),
            snapshot.Nodes.Sum(n => n.UsedMemoryBytes ?? 0),
            services.GetRequiredService<MigrationCommands>().Active.Count,
            services.GetRequiredService<PlanCommands>().Active.Count,
            services.GetRequiredService<IClusterDoctor>().Current.Findings.Length,
            snapshot.Error,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["self"] = root,
                ["cluster"] = $"{root}/cluster",
                ["slots"] = $"{root}/slots",
                ["migrations"] = $"{root}/migrations",
                ["plans"] = $"{root}/plans",
                ["doctor"] = $"{root}/doctor",
                ["audit"] = $"{root}/audit",
            });
    }
}
