using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Cluster;

namespace ValkeyDashboard.Api;

/// <summary>The one mapping of a refused request to its ProblemDetails answer, for every operation of the API.</summary>
public static class RefusalProblems
{
    /// <summary>
    /// 400 / 404 / 409 / 503 / 429 by the refusal's kind, the reason as <c>detail</c>; Valkey's own text
    /// (<c>valkeyError</c>) and the conflicting migration (<c>conflictingMigrationId</c>) as extensions when known.
    /// </summary>
    /// <param name="refusal">What was refused and why.</param>
    /// <param name="what">What the request was about, for the title: <c>Migration</c>, <c>Node</c>, …</param>
    public static ProblemHttpResult ToProblem(RequestRefusedException refusal, string what)
    {
        var (status, title) = refusal.Kind switch
        {
            RefusalKind.NotFound => (StatusCodes.Status404NotFound, $"{what} not found"),
            RefusalKind.Conflict => (StatusCodes.Status409Conflict, $"{what} conflict"),
            RefusalKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, $"{what} unavailable"),
            RefusalKind.TooMany => (StatusCodes.Status429TooManyRequests, "Too many requests"),
            _ => (StatusCodes.Status400BadRequest, $"{what} refused"),
        };
        var extensions = new Dictionary<string, object?>();
        if (refusal.ValkeyError is not null)
        {
            extensions["valkeyError"] = refusal.ValkeyError;
        }

        if (refusal.ConflictingMigrationId is not null)
        {
            extensions["conflictingMigrationId"] = refusal.ConflictingMigrationId;
        }

        return TypedResults.Problem(detail: refusal.Message, statusCode: status, title: title, extensions: extensions);
    }
}
