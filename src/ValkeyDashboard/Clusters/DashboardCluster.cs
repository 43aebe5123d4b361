using ValkeyDashboard.Cluster.Configuration;

namespace ValkeyDashboard.Clusters;

/// <summary>One cluster the dashboard manages: its name, its mode and the services that read and change it.</summary>
public sealed class DashboardCluster : IAsyncDisposable
{
    private readonly List<IHostedService> _started = [];

    internal DashboardCluster(string name, ValkeyMode mode, IServiceProvider services, ClusterServiceTypes owned, bool isDefault)
    {
        Name = name;
        Mode = mode;
        Services = services;
        Owned = owned;
        IsDefault = isDefault;
    }

    public string Name { get; }

    public ValkeyMode Mode { get; }

    /// <summary>The cluster's services (the app's own for the default cluster).</summary>
    public IServiceProvider Services { get; }

    /// <summary>Served by today's unprefixed routes and the app's own services.</summary>
    public bool IsDefault { get; }

    /// <summary>Which services a request to this cluster takes from <see cref="Services"/> rather than the app's.</summary>
    internal ClusterServiceTypes Owned { get; }

    /// <summary>
    /// The services a request to this cluster resolves: this cluster's own, the app's request scope for the rest
    /// (authentication, JSON, ProblemDetails, rate limits). Null for the default cluster, whose services are the app's.
    /// </summary>
    internal ClusterRequestServices? CreateRequestServices(IServiceProvider requestServices) =>
        IsDefault ? null : new ClusterRequestServices(Services.CreateAsyncScope(), requestServices, Owned);

    /// <summary>Starts the cluster's hosted services in registration order (a further cluster's only).</summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // What ValidateOnStart does for the app's own settings, for this cluster's.
            Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }
        catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or AggregateException)
        {
            // The validator gathers every failing section (one exception each) into an AggregateException.
            var problems = ex is AggregateException all ? all.InnerExceptions.Select(e => e.Message).Distinct() : [ex.Message];
            throw new InvalidOperationException($"The settings of cluster \"{Name}\" (Valkey:Clusters, laid over Valkey) are wrong: {string.Join(" ", problems)}", ex);
        }

        foreach (var service in Services.GetServices<IHostedService>())
        {
            lock (_started)
            {
                _started.Add(service);
            }

            await service.StartAsync(cancellationToken);
        }
    }

    /// <summary>Stops what <see cref="StartAsync"/> started, in reverse; a failing stop is logged and the rest still stop.</summary>
    internal async Task StopAsync(ILogger logger, CancellationToken cancellationToken)
    {
        List<IHostedService> started;
        lock (_started)
        {
            started = [.. _started];
            _started.Clear();
        }

        started.Reverse();
        foreach (var service in started)
        {
            try
            {
                await service.StopAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning(ex, "Stopping {Service} of cluster {Cluster} failed", service.GetType().Name, Name);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsDefault && Services is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
