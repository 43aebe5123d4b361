using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Configuration;

namespace ValkeyDashboard.Cluster.Connections;

/// <summary>
/// The dashboard's one administrative connection to the cluster (a StackExchange.Redis multiplexer
/// in cluster mode), with a way to send a raw command to one particular node. Nodes that join later are
/// picked up by re-reading the topology. The dashboard's own code sends commands only through
/// <see cref="ValkeyAdminClient"/>, which types them and translates failures; tests use the raw form to create
/// the states they check.
/// </summary>
public sealed class ValkeyConnection : IAsyncDisposable
{
    private readonly ValkeyOptions _options;
    private readonly IClusterSeedSource _seeds;
    private readonly ILogger<ValkeyConnection> _logger;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    public ValkeyConnection(IOptions<ValkeyOptions> options, IClusterSeedSource seeds, ILogger<ValkeyConnection> logger)
    {
        _options = options.Value;
        _seeds = seeds;
        _logger = logger;
    }

    /// <summary>User, password, TLS and timeouts of every connection.</summary>
    public ValkeyOptions Options => _options;

    /// <summary>The multiplexer, created on first use from the seed endpoints; it reconnects by itself.</summary>
    public async Task<IConnectionMultiplexer> GetMultiplexerAsync()
    {
        if (_multiplexer is { } existing)
        {
            return existing;
        }

        await _connectLock.WaitAsync();
        try
        {
            if (_multiplexer is null)
            {
                var seeds = _seeds.GetSeedEndpoints();
                var configuration = CreateConfiguration(_options, seeds);
                _logger.LogInformation("Connecting to Valkey at {Endpoints}", string.Join(", ", seeds));
                _multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
            }

            return _multiplexer;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Sends one command to the node at <paramref name="endpoint"/> and waits at most the configured command timeout.</summary>
    public async Task<RedisResult> ExecuteAsync(string endpoint, string command, params object[] args)
    {
        var multiplexer = await GetMultiplexerAsync();
        var server = GetServer(multiplexer, endpoint);
        if (server is null)
        {
            // A node the multiplexer has not discovered yet (just added): re-read the topology once.
            await multiplexer.ConfigureAsync();
            server = GetServer(multiplexer, endpoint) ?? throw new RedisConnectionException(ConnectionFailureType.UnableToResolvePhysicalConnection, $"{endpoint} is not known to the connection");
        }

        return await server.ExecuteAsync(command, args).WaitAsync(_options.CommandTimeout);
    }

    /// <summary>Builds the StackExchange.Redis configuration every connection of the dashboard uses.</summary>
    public static ConfigurationOptions CreateConfiguration(ValkeyOptions options, IEnumerable<string> endpoints)
    {
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            AllowAdmin = true,
            ClientName = "valkey-dashboard",
            ConnectTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            SyncTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            AsyncTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            ConnectRetry = 2,
            User = string.IsNullOrEmpty(options.User) ? null : options.User,
            Password = string.IsNullOrEmpty(options.Password) ? null : options.Password,
            Ssl = options.Tls,

            // A node that is down should fail its commands at once, not queue them: the monitor shows it failed.
            BacklogPolicy = BacklogPolicy.FailFast,
        };
        if (options.Tls && !string.IsNullOrEmpty(options.TlsCaFile))
        {
            configuration.TrustIssuer(X509CertificateLoader.LoadCertificateFromFile(options.TlsCaFile));
        }

        if (options.LoadClientCertificate() is { } clientCertificate)
        {
            configuration.CertificateSelection += (_, _, _, _, _) => clientCertificate;
        }

        foreach (var endpoint in endpoints)
        {
            configuration.EndPoints.Add(endpoint);
        }

        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.CloseAsync();
            await _multiplexer.DisposeAsync();
            _multiplexer = null;
        }

        _connectLock.Dispose();
    }

    private static IServer? GetServer(IConnectionMultiplexer multiplexer, string endpoint)
    {
        var parsed = ParseEndpoint(endpoint);
        foreach (var server in multiplexer.GetServers())
        {
            if (EndpointsEqual(server.EndPoint, parsed))
            {
                return server;
            }
        }

        return null;
    }

    private static EndPoint ParseEndpoint(string endpoint) =>
        EndPointCollection.TryParse(endpoint) ?? throw new RedisConnectionException(ConnectionFailureType.UnableToResolvePhysicalConnection, $"'{endpoint}' is not a host:port endpoint");

    private static bool EndpointsEqual(EndPoint a, EndPoint b) =>
        (a, b) switch
        {
            (IPEndPoint x, IPEndPoint y) => x.Port == y.Port && x.Address.Equals(y.Address),
            (DnsEndPoint x, DnsEndPoint y) => x.Port == y.Port && string.Equals(x.Host, y.Host, StringComparison.OrdinalIgnoreCase),
            _ => string.Equals(a.ToString(), b.ToString(), StringComparison.OrdinalIgnoreCase),
        };
}
