using System.Text.Json.Serialization;

namespace ValkeyDashboard.Api;

/// <summary>
/// What the hub pushes carries the name of the cluster it is about (<see cref="ClusterName"/>, <c>cluster</c> in JSON), so a client that watches
/// several clusters can tell them apart. API answers leave it out: their route names the cluster.
/// </summary>
public abstract record ClusterMessage
{
    /// <summary>The cluster it is about: set in hub messages, absent from API answers.</summary>
    [JsonPropertyName("cluster")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ClusterName { get; init; }
}
