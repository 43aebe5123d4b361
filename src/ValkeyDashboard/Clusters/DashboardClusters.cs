using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Storage;
using ValkeyDashboard.Cluster.Telemetry;

namespace ValkeyDashboard.Clusters;

/// <summary>
/// Every cluster the dashboard manages (<c>Valkey:Clusters</c>). The default (first) cluster is the app's own services;
/// each further one has a container of its own, built from the same registrations (<c>AddValkeyCluster</c>,
/// <c>AddClientWorkloads</c>, the slot views) against its entry, sharing the app's logging, clock, data folder and
/// meter (its own recorders label what they record with its name). Registered last, it starts the further clusters' hosted services after the app's (all clusters at once,
/// so one slow to answer delays no other) and stops them first.
/// </summary>
public sealed class DashboardClusters(
    IServiceProvider root,
    IConfiguration configuration,
    IOptions<ValkeyClusterListOptions> list,
    ILogger<DashboardClusters> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>What a further cluster's container takes from the app's instead of making its own.</summary>
    private static readonly Type[] SharedTypes =
    [
        typeof(TimeProvider), typeof(DataFolders), typeof(IConfiguration), typeof(IHostEnvironment),
        typeof(IHostApplicationLifetime), typeof(IMeterFactory),
        typeof(Hubs.ClusterHubConnections), typeof(Hubs.SlotStatisticsWatchers),
    ];

    private readonly Lock _gate = new();
    private IReadOnlyList<DashboardCluster>? _clusters;

    /// <summary>Every cluster, the default first; the further ones once started.</summary>
    public IReadOnlyList<DashboardCluster> All
    {
        get
        {
            lock (_gate)
            {
                return _clusters ??= [DefaultCluster()];
            }
        }
    }

    /// <summary>Every configured name (also before start).</summary>
    public IReadOnlyList<string> Names => list.Value.Names;

    /// <summary>The default cluster, served by the unprefixed <c>/api/…</c> routes.</summary>
    public DashboardCluster Default => All[0];

    /// <summary>The cluster named <paramref name="name"/>, or null.</summary>
    public DashboardCluster? Find(string name) => All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = list.Value;
        List<DashboardCluster> clusters = [DefaultCluster()];
        for (var i = 1; i < options.Clusters.Count; i++)
        {
            clusters.Add(Build(i, options.Clusters[i].Name, options.ModeOf(i)));
        }

        lock (_gate)
        {
            _clusters = clusters;
        }

        var starts = clusters.Skip(1).Select(c => StartOneAsync(c, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            // Whatever started is stopped, and every container disposed, before the failure ends the app's start.
            await StopAsync(CancellationToken.None);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<DashboardCluster> clusters;
        lock (_gate)
        {
            clusters = _clusters ?? [];
        }

        await Task.WhenAll(clusters.Skip(1).Select(c => c.StopAsync(logger, cancellationToken)));
    }

    public async ValueTask DisposeAsync()
    {
        IReadOnlyList<DashboardCluster> clusters;
        lock (_gate)
        {
            clusters = _clusters ?? [];
        }

        foreach (var cluster in clusters.Skip(1))
        {
            await cluster.DisposeAsync();
        }
    }

    private DashboardCluster DefaultCluster()
    {
        var options = list.Value;
        return new DashboardCluster(options.Names[0], options.ModeOf(0), root, ClusterServiceTypes.All, isDefault: true);
    }

    private async Task StartOneAsync(DashboardCluster cluster, CancellationToken cancellationToken)
    {
        logger.LogInformation("Starting cluster {Cluster} ({Mode})", cluster.Name, cluster.Mode);
        await cluster.StartAsync(cancellationToken);
    }

    private DashboardCluster Build(int index, string name, ValkeyMode mode)
    {
        var services = new ServiceCollection();
        foreach (var type in SharedTypes)
        {
            if (root.GetService(type) is { } shared)
            {
                services.AddSingleton(type, shared);
            }
        }

        services.AddSingleton<ILoggerFactory>(new ClusterLoggerFactory(root.GetRequiredService<ILoggerFactory>(), name));
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddOptions();
        services.AddClusterDataFolders();
        var before = services.Count;
        services.AddValkeyCluster(configuration, index);
        services.AddClientWorkloads(configuration);
        services.AddSlotViews(configuration);
        services.AddSingleton(new ClusterName(name));
        services.AddSingleton(new MetricsCluster(name));
        if (root.GetService<DashboardMetrics>() is not null)
        {
            // Its own recorders, on the app's meter, under its own label.
            services.AddClusterTelemetry();
        }

        var owned = ClusterServiceTypes.Of(services.Skip(before));
        if (root.GetService<Hubs.ClusterHubConnections>() is not null)
        {
            // Its changes go to the app's hub, to the connections that watch it.
            services.AddHubBroadcasters();
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new DashboardCluster(name, mode, provider, owned, isDefault: false);
    }
}
