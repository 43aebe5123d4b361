using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Migrations;

namespace ValkeyDashboard.Api;

/// <summary>Atomic slot migrations for automation: start (with preflight), list, watch, cancel.</summary>
public static class MigrationsApi
{
    /// <summary>The rate-limiting policy of requests that change something or cost the cluster work (see <see cref="DashboardWebExtensions"/>).</summary>
    public const string MutationsRateLimit = "mutations";

    /// <summary>Longest a GET may wait for a migration to finish.</summary>
    private const int MaxWaitSeconds = 120;

    public static IEndpointRouteBuilder MapMigrationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/migrations").WithTags("Migrations");

        api.MapPost("/", StartAsync)
            .WithName("StartMigration")
            .WithSummary("Move slots to a primary, atomically (Valkey 9) or key by key")
            .WithDescription("Checks the request against the live cluster, splits it per source primary and chooses the engine: \"engine\": \"auto\" (default) is " +
                "Valkey 9's atomic slot migration (one CLUSTER MIGRATESLOTS per source) when every node involved has it, the classic key-by-key move " +
                "(SETSLOT + MIGRATE ... KEYS, done by the dashboard) otherwise; \"atomic\" on a server without it is a 409, \"keys\" forces key by key. " +
                "A key the target already has stops a key-by-key migration unless \"replace\": true. " +
                "Answers 202 with the migration and a Location to follow it. An Idempotency-Key header makes retries safe: the same key returns the same migration. " +
                "Example body: {\"slots\": \"0-99,5000\", \"targetNodeId\": \"<40-hex id>\", \"engine\": \"auto\"}.")
            .Accepts<StartMigrationBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(MutationsRateLimit)
            .RequireAuthorization(Authentication.DashboardRoles.OperatePolicy)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPost("/preflight", PreflightAsync)
            .WithName("PreflightMigration")
            .WithSummary("Check a migration and estimate what it moves, without starting it")
            .WithDescription("Same checks as starting; returns per source the slots, keys and estimated bytes, the target's memory headroom, any warnings, " +
                "the engine that would run and what clients would see while it runs.")
            .Accepts<StartMigrationBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(MutationsRateLimit)
            .RequireAuthorization(Authentication.DashboardRoles.OperatePolicy)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/", List)
            .WithName("ListMigrations")
            .WithSummary("The migration history, newest first, paged")
            .WithDescription("page starts at 1; pageSize is 1-200 (default 20).")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapGet("/{id}", GetAsync)
            .WithName("GetMigration")
            .WithSummary("One migration with its Valkey jobs, progress and outcome")
            .WithDescription($"With ?wait=N (1-{MaxWaitSeconds} seconds) the answer waits until the migration has finished or N seconds have passed, " +
                "so a script can follow a migration with one request instead of polling.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapPost("/{id}/cancel", CancelAsync)
            .WithName("CancelMigration")
            .WithSummary("Cancel a running migration")
            .WithDescription("Sends CLUSTER CANCELSLOTMIGRATIONS to the migration's sources. Valkey cancels every export of a source at once, " +
                "so the request is refused (409) when a source also exports slots for another migration, which the answer names. " +
                "Answers with the migration once Valkey confirmed (state cancelled), or its current state after a few seconds.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(MutationsRateLimit)
            .RequireAuthorization(Authentication.DashboardRoles.OperatePolicy)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        return app;
    }

    /// <summary>Who asks, for the history and the audit log: the signed-in name, or "api" when sign-in is off.</summary>
    internal static string Actor(HttpContext context) => context.User.Identity?.Name ?? "api";

    public static async Task<Results<Accepted<MigrationResponse>, ProblemHttpResult>> StartAsync(
        HttpRequest request,
        MigrationCommands migrations,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var (slots, engine) = await migrations.ParseForStartAsync(body!.Slots, body.Engine, body.TargetNodeId, Actor(request.HttpContext));
            var start = await migrations.StartAsync(
                new MigrationRequest(slots, body.TargetNodeId, Actor(request.HttpContext), idempotencyKey, Engine: engine, Replace: body.Replace ?? false), cancellationToken);
            return TypedResults.Accepted($"/api/migrations/{start.Migration.Id}", MigrationResponse.From(start.Migration));
        }
        catch (RequestRefusedException ex)
        {
            return Problem(ex);
        }
    }

    public static async Task<Results<Ok<PreflightResponse>, ProblemHttpResult>> PreflightAsync(
        HttpRequest httpRequest, MigrationCommands migrations, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(httpRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var slots = MigrationPlanner.ParseSlots(body!.Slots);
            var request = new MigrationRequest(slots, body.TargetNodeId, Actor(httpRequest.HttpContext), Engine: MigrationEngineChoice.Parse(body.Engine), Replace: body.Replace ?? false);
            return TypedResults.Ok(PreflightResponse.From(await migrations.PreflightAsync(request, cancellationToken)));
        }
        catch (RequestRefusedException ex)
        {
            return Problem(ex);
        }
    }

    public static Results<Ok<MigrationPage>, ProblemHttpResult> List(MigrationCommands migrations, string? page, string? pageSize)
    {
        if (ApiQuery.TryPage(page, pageSize, 20, out var pageNumber, out var size) is { } invalid)
        {
            return invalid;
        }

        var (items, total) = migrations.List(pageNumber, size);
        return TypedResults.Ok(new MigrationPage([.. items.Select(MigrationResponse.From)], pageNumber, size, total));
    }

    public static async Task<Results<Ok<MigrationResponse>, ProblemHttpResult>> GetAsync(string id, HttpContext context, MigrationCommands migrations, string? wait, CancellationToken cancellationToken)
    {
        if (ApiQuery.TryWait(wait, MaxWaitSeconds, out var seconds) is { } invalid)
        {
            return invalid;
        }

        if (migrations.Find(id) is not { } migration)
        {
            return NotFound(id);
        }

        try
        {
            migration = await ApiQuery.WaitUntilFinishedAsync(migration, seconds, context,
                timeout => migrations.WaitForAsync(id, m => m.IsFinished, timeout, cancellationToken), () => migrations.Find(id)!);
        }
        catch (RequestRefusedException ex)
        {
            return Problem(ex);
        }

        return TypedResults.Ok(MigrationResponse.From(migration));
    }

    public static async Task<Results<Ok<MigrationResponse>, ProblemHttpResult>> CancelAsync(string id, HttpContext context, MigrationCommands migrations, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(MigrationResponse.From(await migrations.CancelAsync(id, Actor(context), cancellationToken)));
        }
        catch (RequestRefusedException ex)
        {
            return Problem(ex);
        }
    }

    /// <summary>The body of a start or preflight request.</summary>
    private static Task<(StartMigrationBody? Body, ProblemHttpResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken) =>
        JsonBody.ReadAsync<StartMigrationBody>(request, "{\"slots\": \"0-99,5000\", \"targetNodeId\": \"<40-hex id>\", \"engine\": \"auto\"}",
            "with slots, targetNodeId and engine as strings and replace as true or false", cancellationToken);

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(detail: $"there is no migration {Clip(id)}", statusCode: StatusCodes.Status404NotFound, title: "Migration not found");

    internal static ProblemHttpResult Problem(RequestRefusedException ex) => RefusalProblems.ToProblem(ex, "Migration");

    internal static string Clip(string? text) => ApiQuery.Clip(text);
}
