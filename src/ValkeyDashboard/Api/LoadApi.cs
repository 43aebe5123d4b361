using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Load;

namespace ValkeyDashboard.Api;

/// <summary>The demo load: start, read, stop.</summary>
public static class LoadApi
{
    public static IEndpointRouteBuilder MapLoadApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/load").WithTags("Demo load");

        api.MapPost("/", StartAsync)
            .WithName("StartLoad")
            .WithSummary("Start a demo load of GETs and SETs on demo: keys, so the heat map, hot slots and plans have something to show")
            .WithDescription("Every value is optional: {\"keys\": 100000, \"valueBytes\": 100, \"opsPerSecond\": 5000, \"skew\": \"uniform\"|\"hot-slots\"|\"hash-tags\", " +
                "\"durationSeconds\": 300}. Values outside the caps (Dashboard:Load:Max*) are a 400 naming each; a load already running is a 409; " +
                "in External mode the load is off (409) unless Dashboard:Load:AllowExternal is true. Stops by itself after durationSeconds. " +
                "Audited as load.start; LoadChanged on the hub follows it.")
            .Accepts<StartLoadBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .RequireAuthorization(DashboardRoles.OperatePolicy);

        api.MapGet("/", Get)
            .WithName("GetLoad")
            .WithSummary("The demo load: running or not, who started it and when, its parameters, operations done, errors and the rate achieved");

        api.MapDelete("/", StopAsync)
            .WithName("StopLoad")
            .WithSummary("Stop the demo load; answers its final state and what the stop did")
            .WithDescription("409 when no load is running. The demo: keys stay. Audited as load.stop.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .RequireAuthorization(DashboardRoles.OperatePolicy);
        return app;
    }

    public static async Task<Results<Accepted<LoadResponse>, ProblemHttpResult>> StartAsync(HttpRequest request, IDemoLoad load, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<StartLoadBody>(request,
            "{\"keys\": 100000, \"valueBytes\": 100, \"opsPerSecond\": 5000, \"skew\": \"uniform\", \"durationSeconds\": 300}",
            "with keys, valueBytes, opsPerSecond and durationSeconds as whole numbers and skew as a string", cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var state = await load.StartAsync(body!.Keys, body.ValueBytes, body.OpsPerSecond, body.Skew, body.DurationSeconds, MigrationsApi.Actor(request.HttpContext), cancellationToken);
            return TypedResults.Accepted("/api/load", LoadResponse.From(state, load.NotAllowedReason));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Demo load");
        }
    }

    public static Ok<LoadResponse> Get(IDemoLoad load) => TypedResults.Ok(LoadResponse.From(load.Current, load.NotAllowedReason));

    public static async Task<Results<Ok<LoadResponse>, ProblemHttpResult>> StopAsync(HttpContext context, IDemoLoad load, CancellationToken cancellationToken)
    {
        try
        {
            var state = await load.StopAsync(MigrationsApi.Actor(context), cancellationToken);
            return TypedResults.Ok(LoadResponse.From(state, load.NotAllowedReason,
                $"stopped the demo load started by {state.StartedBy} at {state.StartedAt:u}: {state.OpsDone} operations, {state.Errors} errors; its demo: keys stay"));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Demo load");
        }
    }
}
