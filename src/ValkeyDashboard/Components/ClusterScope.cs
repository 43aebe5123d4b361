using System.Reflection;
using Microsoft.AspNetCore.Components;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard.Components;

/// <summary>
/// The cluster a page shows (<c>/clusters/{name}</c>, <c>/</c> for the default one), cascaded by the layout to the page
/// and the dialogs: components resolve their services from the circuit, so those of a further cluster come from here
/// (<see cref="ClusterBoundComponent"/>). <see cref="Services"/> is that cluster's own services for what it owns, the
/// circuit's for the rest (dialogs, snackbars, JS); the layout disposes it when the page leaves the cluster.
/// </summary>
public sealed class ClusterScope(DashboardCluster cluster, IServiceProvider services) : IAsyncDisposable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, PropertyInfo[]> Injected = new();

    public DashboardCluster Cluster { get; } = cluster;

    public IServiceProvider Services { get; } = services;

    /// <summary>The cluster's own services for the page (null for the default cluster: the circuit's are its own).</summary>
    public static ClusterScope For(DashboardCluster cluster, IServiceProvider circuit) =>
        new(cluster, (IServiceProvider?)cluster.CreateRequestServices(circuit) ?? circuit);

    /// <summary>Replaces <paramref name="component"/>'s injected services that the cluster owns by the cluster's own.</summary>
    public void Rebind(IComponent component)
    {
        if (Cluster.IsDefault)
        {
            return;
        }

        foreach (var property in Injected.GetOrAdd(component.GetType(), InjectedProperties))
        {
            if (Cluster.Owned.Owns(property.PropertyType))
            {
                property.SetValue(component, Services.GetRequiredService(property.PropertyType));
            }
        }
    }

    private static PropertyInfo[] InjectedProperties(Type type) =>
    [
        .. type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.CanWrite && p.IsDefined(typeof(InjectAttribute), inherit: true)),
    ];

    public ValueTask DisposeAsync() => Services is IAsyncDisposable disposable && !Cluster.IsDefault ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}

/// <summary>
/// A component whose cluster services follow the page's cluster (<see cref="ClusterScope"/>): without a cascaded scope
/// (the default cluster, or a component test) it keeps what was injected.
/// </summary>
public abstract class ClusterBoundComponent : ComponentBase
{
    private bool _bound;

    /// <summary>The cluster the page shows; null for the app's own (the default cluster).</summary>
    [CascadingParameter]
    public ClusterScope? ClusterScope { get; set; }

    public override Task SetParametersAsync(ParameterView parameters)
    {
        // Injection happens before the first parameters; the services are swapped once, before OnInitialized uses them.
        if (!_bound && parameters.TryGetValue<ClusterScope>(nameof(ClusterScope), out var scope) && scope is not null)
        {
            scope.Rebind(this);
        }

        _bound = true;
        return base.SetParametersAsync(parameters);
    }
}
