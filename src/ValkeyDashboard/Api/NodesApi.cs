using ValkeyDashboard.Cluster;
using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;

namespace ValkeyDashboard.Api;

/// <summary>Body of <c>POST /api/nodes</c>.</summary>
public sealed record AddNodeBody(
    [property: Description("\"primary\" (empty, no slots) or \"replica\"")] string? Role,
    [property: Description("For a replica: the 40-hex id of its primary")] string? PrimaryId,
    [property: Description("External mode: host:port of a running, empty Valkey node in cluster mode to join; leave out for the embedded cluster, which starts its own")] string? Endpoint = null);

/// <summary>The embedded cluster's nodes for operators: stop, start, add.</summary>
public static class NodesApi
{
    public static IEndpointRouteBuilder MapNodesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/nodes").WithTags("Nodes")
            .RequireAuthorization(DashboardRoles.OperatePolicy)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapPost("/{id}/stop", async (string id, HttpContext context, INodeCommands nodes, CancellationToken cancellationToken) =>
                await RunAsync(() => nodes.StopAsync(id, MigrationsApi.Actor(context), cancellationToken)))
            .WithName("StopNode")
            .WithSummary("Stop a node of the embedded cluster")
            .WithDescription("Refused (409) for a primary that serves slots and has no online replica to take over, and in External mode.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/{id}/start", async (string id, HttpContext context, INodeCommands nodes, CancellationToken cancellationToken) =>
                await RunAsync(() => nodes.StartAsync(id, MigrationsApi.Actor(context), cancellationToken)))
            .WithName("StartNode")
            .WithSummary("Start a stopped node of the embedded cluster again")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapDelete("/{id}", async (string id, HttpContext context, INodeCommands nodes, CancellationToken cancellationToken) =>
                await RunAsync(() => nodes.RemoveAsync(id, MigrationsApi.Actor(context), cancellationToken)))
            .WithName("RemoveNode")
            .WithSummary("Remove a node that holds no slots")
            .WithDescription("A primary's replicas first follow another primary, then every other node forgets it (CLUSTER FORGET); an embedded node is " +
                "stopped and its folder deleted, an external one is reset (CLUSTER RESET HARD) so it cannot rejoin. A primary that still owns slots is " +
                "refused (409: drain it first), as is a node a running migration or plan involves.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/", async (HttpRequest request, INodeCommands nodes, CancellationToken cancellationToken) =>
            {
                var (body, problem) = await JsonBody.ReadAsync<AddNodeBody>(
                    request, "{\"role\": \"primary\"} or {\"role\": \"replica\", \"primaryId\": \"<40-hex id>\"}", "with string values", cancellationToken);
                if (problem is not null)
                {
                    return (IResult)problem;
                }

                try
                {
                    var endpoint = body!.Endpoint is null
                        ? await nodes.AddAsync(body.Role, body.PrimaryId, MigrationsApi.Actor(request.HttpContext), cancellationToken)
                        : await nodes.JoinAsync(body.Endpoint, body.Role, body.PrimaryId, MigrationsApi.Actor(request.HttpContext), cancellationToken);
                    return TypedResults.Ok(new { endpoint });
                }
                catch (RequestRefusedException ex)
                {
                    return RefusalProblems.ToProblem(ex, "Node");
                }
            })
            .WithName("AddNode")
            .WithSummary("Add an empty primary or a replica: started by the embedded cluster, or an existing node joining by its endpoint")
            .WithDescription("Embedded: {\"role\": \"primary\"} or {\"role\": \"replica\", \"primaryId\": \"<id>\"} starts a new node. " +
                "External: {\"endpoint\": \"host:port\", \"role\": …} lets a running Valkey node in cluster mode join (CLUSTER MEET from a member, " +
                "then CLUSTER REPLICATE for a replica); a node that holds keys, belongs to another cluster or cannot be reached is refused (409).")
            .Accepts<AddNodeBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        return app;
    }

    private static async Task<IResult> RunAsync(Func<Task> change)
    {
        try
        {
            await change();
            return TypedResults.NoContent();
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Node");
        }
    }
}
