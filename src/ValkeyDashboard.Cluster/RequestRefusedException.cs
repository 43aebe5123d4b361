namespace ValkeyDashboard.Cluster;

/// <summary>Why a request was refused, which decides how it is answered. Values are part of the wire contract.</summary>
public enum RefusalKind
{
    /// <summary>Malformed or impossible: asking again unchanged can never succeed (HTTP 400).</summary>
    Invalid = 0,

    /// <summary>What the request names does not exist (HTTP 404).</summary>
    NotFound = 1,

    /// <summary>Conflicts with the cluster's current state or with another operation; may succeed later (HTTP 409).</summary>
    Conflict = 2,

    /// <summary>The dashboard cannot do this now because something it depends on is down (HTTP 503).</summary>
    Unavailable = 3,

    /// <summary>More than the dashboard allows at once or per client (HTTP 429).</summary>
    TooMany = 4,
}

/// <summary>
/// A request that was refused before anything changed; the message says why in words an operator can act on. Every
/// operation (migrations, nodes, and what comes after them) refuses with this one type, so the API answers every
/// refusal the same way (one ProblemDetails mapping) and the audit log records it the same way.
/// </summary>
public sealed class RequestRefusedException : Exception
{
    public RequestRefusedException(RefusalKind kind, string message, string? valkeyError = null, string? conflictingMigrationId = null)
        : base(message)
    {
        Kind = kind;
        ValkeyError = valkeyError;
        ConflictingMigrationId = conflictingMigrationId;
    }

    public RequestRefusedException()
    {
    }

    public RequestRefusedException(string message)
        : base(message)
    {
    }

    public RequestRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RefusalKind Kind { get; }

    /// <summary>Valkey's own error text, when Valkey refused.</summary>
    public string? ValkeyError { get; }

    /// <summary>The migration that holds the slots, for a conflict.</summary>
    public string? ConflictingMigrationId { get; }

    public static RequestRefusedException Invalid(string message) => new(RefusalKind.Invalid, message);

    public static RequestRefusedException NotFound(string message) => new(RefusalKind.NotFound, message);

    public static RequestRefusedException Conflict(string message, string? conflictingMigrationId = null) =>
        new(RefusalKind.Conflict, message, conflictingMigrationId: conflictingMigrationId);

    public static RequestRefusedException TooMany(string message) => new(RefusalKind.TooMany, message);
}
