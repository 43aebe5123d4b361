namespace ValkeyDashboard.Clusters;

/// <summary>
/// The app's logging for a further cluster's services: the same sinks and levels, each category followed by
/// <c>@name</c> (<c>…AtomicMigrationEngine@prod-eu</c>), so a log line says which cluster it is about while the level
/// overrides, which match categories by their beginning, still apply.
/// </summary>
internal sealed class ClusterLoggerFactory(ILoggerFactory app, string cluster) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => app.CreateLogger($"{categoryName}@{cluster}");

    public void AddProvider(ILoggerProvider provider) => app.AddProvider(provider);

    // The app's factory is the app's to dispose.
    public void Dispose()
    {
    }
}
