using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Telemetry;

/// <summary>Label values as the API writes them (lower-case state names, <c>primary</c>/<c>replica</c>).</summary>
internal static class MetricLabels
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    public static string Of(NodeRole role) => role == NodeRole.Primary ? "primary" : "replica";
}
