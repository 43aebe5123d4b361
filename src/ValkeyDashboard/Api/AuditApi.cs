using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Cluster.Audit;

namespace ValkeyDashboard.Api;

/// <summary>A page of the audit log.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int Page, int PageSize, int Total);

/// <summary>The audit log: every change asked of the dashboard (migration start and cancel), who asked, and the outcome.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListAsync)
            .WithTags("Audit")
            .WithName("ListAudit")
            .WithSummary("The audit log, newest first, paged")
            .WithDescription("Every start and cancel of a migration, from the UI or the API, accepted, refused (with the reason) or failed. " +
                "page starts at 1; pageSize is 1-200 (default 50).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(Authentication.DashboardRoles.OperatePolicy)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    public static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> ListAsync(AuditLog audit, string? page, string? pageSize, CancellationToken cancellationToken)
    {
        if (ApiQuery.TryPage(page, pageSize, 50, out var pageNumber, out var size) is { } invalid)
        {
            return invalid;
        }

        var (items, total) = await audit.ListAsync(pageNumber, size, cancellationToken);
        return TypedResults.Ok(new AuditPage(items, pageNumber, size, total));
    }
}
