namespace ValkeyDashboard.Clusters;

/// <summary>
/// The name of the cluster whose services these are: registered in each cluster's container (the app's for the
/// default cluster), so a service that speaks for its cluster (a hub broadcaster) can say which one.
/// </summary>
public sealed record ClusterName(string Value);
