namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// What the UI and the API may do to the cluster's nodes; <see cref="EmbeddedNodeService"/> is the implementation
/// (component tests use a hand-written fake). Every change is checked, refused with <see cref="RequestRefusedException"/>
/// when unsafe, and audited.
/// </summary>
public interface INodeCommands
{
    /// <summary>False when the dashboard cannot manage nodes here (External mode): the UI hides the controls.</summary>
    bool IsAvailable { get; }

    /// <summary>Stops a node gracefully.</summary>
    Task StopAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Starts a stopped node again.</summary>
    Task StartAsync(string nodeId, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>Adds an empty primary (<paramref name="role"/> <c>primary</c>) or a replica of <paramref name="primaryId"/>; returns its endpoint.</summary>
    Task<string> AddAsync(string? role, string? primaryId, string requestedBy, CancellationToken cancellationToken = default);
}
