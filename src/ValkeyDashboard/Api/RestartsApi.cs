using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Api;

/// <summary>Restarts of the embedded cluster's nodes without downtime: one node, or all of them rolling.</summary>
public static class RestartsApi
{
    private const int MaxWaitSeconds = 600;
    private const string Shape = "{\"nodeIds\": [\"<40-hex id>\", …], \"failBack\": false, \"preview\": false} (every field optional)";

    public static IEndpointRouteBuilder MapRestartsApi(this IEndpointRouteBuilder app)
    {
        var nodes = app.MapGroup("/api/nodes").WithTags("Nodes");

        nodes.MapGet("/{id}/restart-plan", PreviewAsync)
            .WithName("PreviewNodeRestart")
            .WithSummary("What restarting a node would do now: in place, or which replica its primary fails over to")
            .WithDescription("Nothing restarts. 409 says why it may not restart now (cluster not ok, a migration or plan on its shard, a primary without an in-sync replica).")
            .RequireAuthorization(DashboardRoles.OperatePolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        nodes.MapPost("/{id}/restart", RestartAsync)
            .WithName("RestartNode")
            .WithSummary("Restart a node of the embedded cluster without taking its slots offline; answers the node's new state")
            .WithDescription("A replica is restarted and waited for until it is in sync again. A primary that serves slots is first failed over to an in-sync " +
                "replica (CLUSTER FAILOVER, waited for until every node agrees), then restarted, and comes back as a replica (?failBack=true: it then takes " +
                "its shard back). Refused (409) while the cluster is not ok, while a migration or plan moves slots of its shard, for a primary with no " +
                "in-sync replica, while another node restarts, and in External mode. The answer waits until the node is back.")
            .RequireAuthorization(DashboardRoles.OperatePolicy)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        nodes.MapPost("/restart", StartRollingAsync)
            .WithName("StartRollingRestart")
            .WithSummary("Restart nodes one at a time, replicas first, then each primary through a failover (a rolling restart)")
            .WithDescription("Body " + Shape + ". Answers 202 with the rolling restart and a Location to follow it (GET with ?wait=N), or 200 with its steps " +
                "when preview is true. Used to upgrade (new binaries in Valkey:BinaryDirectory) and to apply changed settings. Pause, resume and cancel " +
                "take effect between two nodes. Refused (409) when a node cannot be restarted safely now (each reason listed) or another rolling " +
                "restart runs. An Idempotency-Key header makes retries safe.")
            .Accepts<RollingRestartBody>("application/json")
            .RequireAuthorization(DashboardRoles.OperatePolicy)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        nodes.MapGet("/restarts", List)
            .WithName("ListRollingRestarts")
            .WithSummary("Rolling restarts, newest first, paged")
            .WithDescription("page starts at 1; pageSize is 1-200 (default 20).")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        nodes.MapGet("/restarts/{id}", GetAsync)
            .WithName("GetRollingRestart")
            .WithSummary("One rolling restart with each node's step")
            .WithDescription($"With ?wait=N (1-{MaxWaitSeconds} seconds) the answer waits until it has finished or N seconds have passed.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        MapChange(nodes, "pause", "PauseRollingRestart", "Pause a rolling restart once the node being restarted is back", (r, id, actor) => r.PauseAsync(id, actor));
        MapChange(nodes, "resume", "ResumeRollingRestart", "Resume a paused rolling restart", (r, id, actor) => r.ResumeAsync(id, actor));
        MapChange(nodes, "cancel", "CancelRollingRestart", "Cancel a rolling restart once the node being restarted is back; the nodes after it are not restarted",
            (r, id, actor) => r.CancelAsync(id, actor));
        return app;
    }

    public static async Task<Results<Ok<RestartPlanResponse>, ProblemHttpResult>> PreviewAsync(string id, string? failBack, INodeCommands nodes, CancellationToken cancellationToken)
    {
        if (!TryFailBack(failBack, out var back))
        {
            return JsonBody.BadBody($"failBack must be true or false, got \"{ApiQuery.Clip(failBack)}\"");
        }

        try
        {
            return TypedResults.Ok(RestartPlanResponse.From(await nodes.PreviewRestartAsync(id, back, cancellationToken)));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Restart");
        }
    }

    public static async Task<Results<Ok<NodeResponse>, ProblemHttpResult>> RestartAsync(
        string id, string? failBack, HttpContext context, INodeCommands nodes, LocalClusterHost host, CancellationToken cancellationToken)
    {
        if (!TryFailBack(failBack, out var back))
        {
            return JsonBody.BadBody($"failBack must be true or false, got \"{ApiQuery.Clip(failBack)}\"");
        }

        try
        {
            var node = await nodes.RestartAsync(id, back, MigrationsApi.Actor(context), cancellationToken);
            return TypedResults.Ok(NodeResponse.From(node, host.FindProcess(node.Endpoint)));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Restart");
        }
    }

    public static async Task<Results<Accepted<RollingRestartResponse>, Ok<RollingRestartPreviewResponse>, ProblemHttpResult>> StartRollingAsync(
        HttpRequest request, IRollingRestarts restarts, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<RollingRestartBody>(request, Shape, "(nodeIds an array of strings, failBack and preview booleans)", cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.NodeIds?.Any(string.IsNullOrWhiteSpace) == true)
        {
            return JsonBody.BadBody("nodeIds must hold node ids, not empty strings or nulls");
        }

        ImmutableArray<string> nodeIds = [.. (body.NodeIds ?? []).Distinct(StringComparer.OrdinalIgnoreCase)];
        try
        {
            if (body.Preview == true)
            {
                var steps = await restarts.PreviewAsync(nodeIds, body.FailBack ?? false, cancellationToken);
                return TypedResults.Ok(new RollingRestartPreviewResponse([.. steps.Select(RestartStepResponse.From)]));
            }

            var (rolling, _) = await restarts.StartAsync(new RollingRestartRequest(nodeIds, body.FailBack ?? false, MigrationsApi.Actor(request.HttpContext), idempotencyKey), cancellationToken);
            return TypedResults.Accepted($"/api/nodes/restarts/{rolling.Id}", RollingRestartResponse.From(rolling));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Rolling restart");
        }
    }

    public static Results<Ok<RollingRestartPage>, ProblemHttpResult> List(IRollingRestarts restarts, string? page, string? pageSize)
    {
        if (ApiQuery.TryPage(page, pageSize, 20, out var pageNumber, out var size) is { } invalid)
        {
            return invalid;
        }

        var (items, total) = restarts.List(pageNumber, size);
        return TypedResults.Ok(new RollingRestartPage([.. items.Select(RollingRestartResponse.From)], pageNumber, size, total));
    }

    public static async Task<Results<Ok<RollingRestartResponse>, ProblemHttpResult>> GetAsync(
        string id, HttpContext context, IRollingRestarts restarts, string? wait, CancellationToken cancellationToken)
    {
        if (ApiQuery.TryWait(wait, MaxWaitSeconds, out var seconds) is { } invalid)
        {
            return invalid;
        }

        if (restarts.Find(id) is not { } rolling)
        {
            return TypedResults.Problem(detail: $"there is no rolling restart {ApiQuery.Clip(id)}", statusCode: StatusCodes.Status404NotFound, title: "Rolling restart not found");
        }

        try
        {
            rolling = await ApiQuery.WaitUntilFinishedAsync(rolling, seconds, context,
                timeout => restarts.WaitForAsync(id, r => r.IsFinished, timeout, cancellationToken), () => restarts.Find(id)!);
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Rolling restart");
        }

        return TypedResults.Ok(RollingRestartResponse.From(rolling));
    }

    private static void MapChange(RouteGroupBuilder api, string verb, string name, string summary, Func<IRollingRestarts, string, string, Task<RollingRestart>> change) =>
        api.MapPost($"/restarts/{{id}}/{verb}", async Task<Results<Ok<RollingRestartResponse>, ProblemHttpResult>> (string id, HttpContext context, IRollingRestarts restarts) =>
            {
                try
                {
                    return TypedResults.Ok(RollingRestartResponse.From(await change(restarts, id, MigrationsApi.Actor(context))));
                }
                catch (RequestRefusedException ex)
                {
                    return RefusalProblems.ToProblem(ex, "Rolling restart");
                }
            })
            .WithName(name)
            .WithSummary(summary)
            .RequireAuthorization(DashboardRoles.OperatePolicy)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static bool TryFailBack(string? text, out bool failBack)
    {
        failBack = false;
        return string.IsNullOrEmpty(text) || bool.TryParse(text, out failBack);
    }
}
