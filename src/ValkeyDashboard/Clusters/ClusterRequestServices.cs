using Microsoft.Extensions.Options;

namespace ValkeyDashboard.Clusters;

/// <summary>
/// The service types a further cluster's container registers itself (its monitor, migrations, plans, audit, options
/// of its own sections, …): a request to that cluster takes these from it, everything else from the app.
/// </summary>
internal sealed class ClusterServiceTypes
{
    private static readonly HashSet<Type> OptionsReaders =
        [typeof(IOptions<>), typeof(IOptionsSnapshot<>), typeof(IOptionsMonitor<>), typeof(IOptionsFactory<>), typeof(IOptionsMonitorCache<>)];

    private static readonly HashSet<Type> OptionsSetters = [typeof(IConfigureOptions<>), typeof(IPostConfigureOptions<>), typeof(IValidateOptions<>)];

    private readonly HashSet<Type> _types;
    private readonly HashSet<Type> _options;
    private readonly bool _all;

    private ClusterServiceTypes(HashSet<Type> types, HashSet<Type> options, bool all)
    {
        _types = types;
        _options = options;
        _all = all;
    }

    /// <summary>Every type (the default cluster, whose services are the app's).</summary>
    public static ClusterServiceTypes All { get; } = new([], [], all: true);

    /// <summary>The types <paramref name="registrations"/> provide, and the option types they configure.</summary>
    public static ClusterServiceTypes Of(IEnumerable<ServiceDescriptor> registrations)
    {
        HashSet<Type> types = [];
        HashSet<Type> options = [];
        foreach (var descriptor in registrations)
        {
            var type = descriptor.ServiceType;
            if (type.IsConstructedGenericType && OptionsSetters.Contains(type.GetGenericTypeDefinition()))
            {
                options.Add(type.GenericTypeArguments[0]);
            }
            else if (!type.ContainsGenericParameters)
            {
                types.Add(type);
            }
        }

        return new ClusterServiceTypes(types, options, all: false);
    }

    public bool Owns(Type type)
    {
        if (_all || _types.Contains(type))
        {
            return true;
        }

        if (!type.IsConstructedGenericType)
        {
            return false;
        }

        var definition = type.GetGenericTypeDefinition();
        var argument = type.GenericTypeArguments[0];
        return (OptionsReaders.Contains(definition) && _options.Contains(argument))
            || (definition == typeof(IEnumerable<>) && _types.Contains(argument));
    }
}

/// <summary>
/// A request's services when it is for a further cluster (<c>/api/clusters/{name}/…</c>): that cluster's own services
/// from a scope of its container, the app's request scope for the rest. The endpoint that answers is the same one that
/// answers the default cluster; only what it is handed differs.
/// </summary>
internal sealed class ClusterRequestServices(AsyncServiceScope cluster, IServiceProvider request, ClusterServiceTypes owned)
    : IServiceProvider, ISupportRequiredService, IKeyedServiceProvider, IAsyncDisposable
{
    public object? GetService(Type serviceType) =>
        serviceType == typeof(IServiceProvider) ? this
        : owned.Owns(serviceType) ? cluster.ServiceProvider.GetService(serviceType)
        : request.GetService(serviceType);

    public object GetRequiredService(Type serviceType) =>
        GetService(serviceType) ?? throw new InvalidOperationException($"No service for type '{serviceType}' has been registered.");

    public object? GetKeyedService(Type serviceType, object? serviceKey) => ((IKeyedServiceProvider)request).GetKeyedService(serviceType, serviceKey);

    public object GetRequiredKeyedService(Type serviceType, object? serviceKey) =>
        ((IKeyedServiceProvider)request).GetRequiredKeyedService(serviceType, serviceKey);

    public ValueTask DisposeAsync() => cluster.DisposeAsync();
}
