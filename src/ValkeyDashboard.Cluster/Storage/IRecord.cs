namespace ValkeyDashboard.Cluster.Storage;

/// <summary>A long-running operation's record as the dashboard keeps it: a migration, a plan.</summary>
public interface IRecord
{
    string Id { get; }

    DateTimeOffset CreatedAt { get; }

    /// <summary>The client's <c>Idempotency-Key</c>, if it sent one.</summary>
    string? IdempotencyKey { get; }

    /// <summary>In a final state: it will not change again.</summary>
    bool IsFinished { get; }

    /// <summary>The state's name, kept in its own column.</summary>
    string StateName { get; }
}
