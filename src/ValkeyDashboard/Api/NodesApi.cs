using ValkeyDashboard.Cluster;
using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;

namespace ValkeyDashboard.Api;

/// <summary>Body of <c>POST /api/nodes</c>.</summary>
public sealed record AddNodeBody(
    [property: Description("\"primary\" (empty, no slots) or \"replica\"")] string? Role,
    [property: Description("For a replica: the 40-hex id of its primary")] string? PrimaryId);

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

        api.MapPost("/", async (HttpRequest request, INodeCommands nodes, CancellationToken cancellationToken) =>
            {
                AddNodeBody? body;
                try
                {
                    body = request.HasJsonContentType()
                        ? await JsonSerializer.DeserializeAsync<AddNodeBody>(request.Body, JsonSerializerOptions.Web, cancellationToken)
                        : null;
                }
                catch (JsonException ex)
                {
                    return (IResult)TypedResults.Problem(detail: $"the body is not valid JSON of the shape {{\"role\": \"replica\", \"primaryId\": \"<40-hex id>\"}}: {ex.Message}",
                        statusCode: StatusCodes.Status400BadRequest, title: "Invalid request body");
                }

                if (body is null)
                {
                    return TypedResults.Problem(detail: "expected a JSON body {\"role\": \"primary\"} or {\"role\": \"replica\", \"primaryId\": \"<40-hex id>\"}",
                        statusCode: StatusCodes.Status400BadRequest, title: "Invalid request body");
                }

                try
                {
                    var endpoint = await nodes.AddAsync(body.Role, body.PrimaryId, MigrationsApi.Actor(request.HttpContext), cancellationToken);
                    return TypedResults.Ok(new { endpoint });
                }
                catch (RequestRefusedException ex)
                {
                    return RefusalProblems.ToProblem(ex, "Node");
                }
            })
            .WithName("AddNode")
            .WithSummary("Add an empty primary or a replica to the embedded cluster")
            .Accepts<AddNodeBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);

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
