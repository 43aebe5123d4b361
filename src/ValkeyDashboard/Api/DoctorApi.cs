using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Doctor;

namespace ValkeyDashboard.Api;

/// <summary>The cluster doctor: what is wrong with the cluster, and fixes reviewed by their exact commands.</summary>
public static class DoctorApi
{
    public static IEndpointRouteBuilder MapDoctorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/doctor").WithTags("Doctor");

        api.MapGet("/", CheckAsync)
            .WithName("GetDoctorFindings")
            .WithSummary("Look at the cluster now: slots left open by a key-by-key move, slots nobody serves, owners in dispute, failed nodes, stalled migrations, primaries without replica, mixed versions, slot statistics off, replicas beside their primary")
            .WithDescription("Each finding has a stable id, a kind, a severity (error, warning, info), the nodes and slots concerned, a message that says " +
                "what to do, and the fix the dashboard offers, if any. Commands a node's server lacks are never sent (slot statistics from Valkey 8, " +
                "atomic migrations from Valkey 9).")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapPost("/fixes/{id}", FixAsync)
            .WithName("RunDoctorFix")
            .WithSummary("Run a fix of a finding; ?dryRun=true answers the exact commands it would send and changes nothing")
            .WithDescription("The cluster is checked again first: a fix whose finding is gone is a 409, an id that never was a 404. ?primaryId=<40-hex id> " +
                "chooses the primary that takes unassigned slots (default: the one with the fewest slots); it is refused (409) while a node other " +
                "than that primary and its replicas holds keys in them. Commands are sent one at a time; a failed one stops the fix (502, saying " +
                "what was sent before it). Audited as doctor.fix. Answers the steps with their commands and, unless a dry run, the findings after.")
            .RequireAuthorization(DashboardRoles.OperatePolicy)
            .RequireRateLimiting(MigrationsApi.MutationsRateLimit)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        return app;
    }

    public static async Task<Results<Ok<DoctorReportResponse>, ProblemHttpResult>> CheckAsync(IClusterDoctor doctor, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(DoctorReportResponse.From(await doctor.CheckAsync(cancellationToken)));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Doctor");
        }
    }

    public static async Task<Results<Ok<DoctorFixResponse>, ProblemHttpResult>> FixAsync(
        string id, string? dryRun, string? primaryId, HttpContext context, IClusterDoctor doctor, CancellationToken cancellationToken)
    {
        var dry = false;
        if (!string.IsNullOrEmpty(dryRun) && !bool.TryParse(dryRun, out dry))
        {
            return JsonBody.BadBody($"dryRun must be true or false, got \"{ApiQuery.Clip(dryRun)}\"");
        }

        if (primaryId is not null && string.IsNullOrWhiteSpace(primaryId))
        {
            return JsonBody.BadBody("primaryId must be a node id when given");
        }

        try
        {
            var outcome = await doctor.FixAsync(id, new DoctorFixRequest(primaryId), dry, MigrationsApi.Actor(context), cancellationToken);
            return TypedResults.Ok(DoctorFixResponse.From(outcome));
        }
        catch (RequestRefusedException ex)
        {
            return RefusalProblems.ToProblem(ex, "Doctor fix");
        }
        catch (DoctorFixFailedException ex)
        {
            return TypedResults.Problem(detail: ex.Message, statusCode: StatusCodes.Status502BadGateway, title: "Doctor fix failed");
        }
    }
}
