namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// What the UI and the API may do to the cluster's nodes; <see cref="NodeService"/> is the implementation
/// (component tests use a hand-written fake). Every change is checked, refused with <see cref="RequestRefusedException"/>
/// when unsafe, and audited.
/// </summary>
public interface INodeCommands
{
    /// <summary>True for the embedded cluster, whose node processes the dashboard stops, starts and adds; false in External mode (the UI hides those controls).</summary>
    bool IsAvailable { get; }

    /// <summary>Stops a node gracefully.</summary>
    Task StopAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Starts a stopped node again.</summary>
    Task StartAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Adds an empty primary (<paramref name="role"/> <c>primary</c>) or a replica of <paramref name="primaryId"/>; returns its endpoint.</summary>
    Task<string> AddAsync(string? role, string? primaryId, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Lets a running, empty Valkey node join by its endpoint (External mode) as a primary or a replica of <paramref name="primaryId"/>.</summary>
    Task<string> JoinAsync(string? endpoint, string? role, string? primaryId, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>What restarting a node would do now (in place, or through a failover to which replica), or why it may not.</summary>
    Task<Restarts.RestartPlan> PreviewRestartAsync(string nodeId, bool failBack, CancellationToken cancellationToken = default);

    /// <summary>Restarts a node without taking its slots offline (a primary fails over first); returns the node as the cluster sees it after.</summary>
    Task<Model.ClusterNode> RestartAsync(string nodeId, bool failBack, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Removes a node that holds no slots from the cluster (and, in the embedded cluster, its process and data).</summary>
    Task RemoveAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default);
}
