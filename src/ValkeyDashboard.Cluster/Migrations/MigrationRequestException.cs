namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>How a refused migration request should be answered. Values are part of the wire contract.</summary>
public enum MigrationRefusal
{
    /// <summary>Malformed or impossible (HTTP 400).</summary>
    Invalid = 0,

    /// <summary>No migration with that id (HTTP 404).</summary>
    NotFound = 1,

    /// <summary>Conflicts with the cluster's current state or another migration (HTTP 409).</summary>
    Conflict = 2,
}

/// <summary>A migration request or cancellation that was refused before anything changed; the message says why.</summary>
public sealed class MigrationRequestException : Exception
{
    public MigrationRequestException(MigrationRefusal refusal, string message, string? valkeyError = null, string? conflictingMigrationId = null)
        : base(message)
    {
        Refusal = refusal;
        ValkeyError = valkeyError;
        ConflictingMigrationId = conflictingMigrationId;
    }

    public MigrationRequestException()
    {
    }

    public MigrationRequestException(string message)
        : base(message)
    {
    }

    public MigrationRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MigrationRefusal Refusal { get; }

    /// <summary>Valkey's own error text, when Valkey refused.</summary>
    public string? ValkeyError { get; }

    /// <summary>The migration that holds the slots, for a conflict.</summary>
    public string? ConflictingMigrationId { get; }
}
