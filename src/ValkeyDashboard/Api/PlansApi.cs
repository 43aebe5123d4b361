using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Api;

/// <summary>Plans for automation: preview, start, list, follow, pause, resume, cancel.</summary>
public static class PlansApi
{
    private const int MaxWaitSeconds = 600;
    private const string Shape = "{\"kind\": \"rebalance\", \"metric\": \"keys\", \"nodeIds\": [], \"weights\": {\"<40-hex id>\": 2}, \"threshold\": 0.02, \"engine\": \"auto\"}";

    public static IEndpointRouteBuilder MapPlansApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/plans").WithTags("Plans");

        api.MapPost("/preview", PreviewAsync)
            .WithName("PreviewPlan")
            .WithSummary("What a rebalance or drain would move, computed from the cluster as it is now; nothing moves")
            .WithDescription("Body " + Shape + " (all but kind optional; metric slots, keys (default), memory (estimated by sampling), cpu or network " +
                "(averaged over Plans:LoadWindow)). Answers the moves (source, target, slots, keys, bytes), every primary's figure before and after " +
                "with its target, the imbalance before and after (largest weighted share over the mean; 1.0 = perfect), keys and bytes to move, " +
                "an estimated duration and warnings.")
            .Accepts<PlanBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .RequireAuthorization(Authentication.DashboardRoles.OperatePolicy)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPost("/", StartAsync)
            .WithName("StartPlan")
            .WithSummary("Run a rebalance or a drain as atomic migrations")
            .WithDescription("Same body as the preview; the plan is computed again from the cluster as it is now. Answers 202 with the plan and a " +
                "Location to follow it. Its moves run as migrations (each in the history, linked to the plan), up to Migrations:MaxConcurrentMigrations " +
                "at once with distinct sources. One plan runs at a time (409 naming it). An Idempotency-Key header makes retries safe.")
            .Accepts<PlanBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .RequireAuthorization(Authentication.DashboardRoles.OperatePolicy)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/", List)
            .WithName("ListPlans")
            .WithSummary("Plans, newest first, paged")
            .WithDescription("page starts at 1; pageSize is 1-200 (default 20).")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapGet("/{id}", GetAsync)
            .WithName("GetPlan")
            .WithSummary("One plan with its moves, progress and ETA")
            .WithDescription($"With ?wait=N (1-{MaxWaitSeconds} seconds) the answer waits until the plan has finished or N seconds have passed.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        MapChange(api, "pause", "PausePlan", "Pause a running plan: the running moves finish, no new one starts", (plans, id, actor) => plans.PauseAsync(id, actor));
        MapChange(api, "resume", "ResumePlan", "Resume a paused plan", (plans, id, actor) => plans.ResumeAsync(id, actor));
        MapChange(api, "cancel", "CancelPlan", "Cancel a plan: its running migrations are cancelled, no new one starts; what already moved stays moved",
            (plans, id, actor) => plans.CancelAsync(id, actor));
        return app;
    }

    private static void MapChange(RouteGroupBuilder api, string verb, string name, string summary, Func<PlanCommands, string, string, Task<Plan>> change) =>
        api.MapPost($"/{{id}}/{verb}", async Task<Results<Ok<PlanResponse>, ProblemHttpResult>> (string id, HttpContext context, PlanCommands plans) =>
            {
                try
                {
                    return TypedResults.Ok(PlanResponse.From(await change(plans, id, MigrationsApi.Actor(context))));
                }
                catch (RequestRefusedException ex)
                {
                    return RefusalProblems.ToProblem(ex, "Plan");
                }
            })
            .WithName(name)
            .WithSummary(summary)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .RequireAuthorization(Authentication.DashboardRoles.OperatePolicy)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    public static async Task<Results<Ok<PlanPreviewResponse>, ProblemHttpResult>> PreviewAsync(HttpRequest request, PlanCommands plans, CancellationToken cancellationToken)
    {
        var (planRequest, problem) = await ReadRequestAsync(request, idempotencyKey: null, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            return TypedResults.Ok(PlanPreviewResponse.From(await plans.PreviewAsync(planRequest!, cancellationToken)));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Plan");
        }
    }

    public static async Task<Results<Accepted<PlanResponse>, ProblemHttpResult>> StartAsync(
        HttpRequest request, PlanCommands plans, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        var (planRequest, problem) = await ReadRequestAsync(request, idempotencyKey, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var (plan, _) = await plans.StartAsync(planRequest!, cancellationToken);
            return TypedResults.Accepted($"/api/plans/{plan.Id}", PlanResponse.From(plan));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Plan");
        }
    }

    public static Results<Ok<PlanPage>, ProblemHttpResult> List(PlanCommands plans, string? page, string? pageSize)
    {
        if (ApiQuery.TryPage(page, pageSize, 20, out var pageNumber, out var size) is { } invalid)
        {
            return invalid;
        }

        var (items, total) = plans.List(pageNumber, size);
        return TypedResults.Ok(new PlanPage([.. items.Select(PlanResponse.From)], pageNumber, size, total));
    }

    public static async Task<Results<Ok<PlanResponse>, ProblemHttpResult>> GetAsync(string id, HttpContext context, PlanCommands plans, string? wait, CancellationToken cancellationToken)
    {
        if (ApiQuery.TryWait(wait, MaxWaitSeconds, out var seconds) is { } invalid)
        {
            return invalid;
        }

        if (plans.Find(id) is not { } plan)
        {
            return TypedResults.Problem(detail: $"there is no plan {MigrationsApi.Clip(id)}", statusCode: StatusCodes.Status404NotFound, title: "Plan not found");
        }

        try
        {
            plan = await ApiQuery.WaitUntilFinishedAsync(plan, seconds, context,
                timeout => plans.WaitForAsync(id, p => p.IsFinished, timeout, cancellationToken), () => plans.Find(id)!);
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Plan");
        }

        return TypedResults.Ok(PlanResponse.From(plan));
    }

    /// <summary>The body as a typed request: kind and metric by name, the rest as given (the commands check them against the cluster).</summary>
    private static async Task<(PlanRequest? Request, ProblemHttpResult? Problem)> ReadRequestAsync(HttpRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<PlanBody>(request, Shape, "(kind, metric and engine strings, nodeIds an array of strings, weights an object of numbers, threshold a number)", cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        if (!TryParse(body!.Kind, PlanKind.Rebalance, out PlanKind kind, required: true))
        {
            return (null, JsonBody.BadBody($"kind must be \"rebalance\" or \"drain\", got \"{MigrationsApi.Clip(body.Kind)}\""));
        }

        if (!TryParse(body.Metric, PlanMetric.Keys, out PlanMetric metric, required: false))
        {
            return (null, JsonBody.BadBody($"metric must be \"slots\", \"keys\", \"memory\", \"cpu\" or \"network\", got \"{MigrationsApi.Clip(body.Metric)}\""));
        }

        if (body.NodeIds?.Any(string.IsNullOrWhiteSpace) == true)
        {
            return (null, JsonBody.BadBody("nodeIds must hold node ids, not empty strings or nulls"));
        }

        MigrationEngineKind engine;
        try
        {
            engine = MigrationEngineChoice.Parse(body.Engine);
        }
        catch (RequestRefusedException ex)
        {
            return (null, JsonBody.BadBody(ex.Message));
        }

        var weights = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var (nodeId, weight) in body.Weights ?? ImmutableDictionary<string, double>.Empty)
        {
            if (!weights.TryAdd(nodeId, weight))
            {
                return (null, JsonBody.BadBody($"weights names {MigrationsApi.Clip(nodeId)} twice"));
            }
        }

        return (new PlanRequest(
            kind,
            metric,
            [.. (body.NodeIds ?? []).Distinct(StringComparer.OrdinalIgnoreCase)],
            weights.ToImmutable(),
            body.Threshold,
            MigrationsApi.Actor(request.HttpContext),
            idempotencyKey,
            engine), null);
    }

    private static bool TryParse<T>(string? text, T fallback, out T value, bool required)
        where T : struct, Enum
    {
        value = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return !required;
        }

        // Names only: "1" or "Rebalance, Drain" are not kinds.
        return text.All(char.IsAsciiLetter) && Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value);
    }
}
