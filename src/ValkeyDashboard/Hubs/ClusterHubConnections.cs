using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// One bounded queue and one sender per hub connection, so that no client can delay another: what is pushed to a
/// connection waits in its own queue, and a connection that stops reading holds up only its own sender. A connection
/// whose queue is full (<see cref="QueueCapacity"/> messages behind) or whose one send takes longer than
/// <see cref="SendTimeout"/> is dropped; it can reconnect and starts again from the current state. Each connection
/// watches some clusters (<see cref="ClusterHub.Watch"/>): a cluster's messages go to the connections that watch it.
/// SignalR groups would do the same, but would bypass the per-connection queues.
/// </summary>
public sealed class ClusterHubConnections(IHubContext<ClusterHub, IClusterClient> hub, ILogger<ClusterHubConnections> logger) : IAsyncDisposable
{
    /// <summary>Messages a connection may be behind before it is dropped: a few seconds of updates at the flush rate.</summary>
    public const int QueueCapacity = 64;

    /// <summary>Longest one message may take to reach a connection's transport before the connection is dropped.</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);

    /// <summary>Connections being served.</summary>
    public int Count => _connections.Count;

    /// <summary>Starts serving a connection (from <see cref="ClusterHub.OnConnectedAsync"/>) that watches <paramref name="clusters"/>: its queue and its sender.</summary>
    public void Add(HubCallerContext context, IReadOnlySet<string> clusters)
    {
        var connection = new Connection(context) { Clusters = clusters };
        if (_connections.TryAdd(context.ConnectionId, connection))
        {
            connection.Sender = Task.Run(() => SendAsync(connection));
        }
    }

    /// <summary>Stops serving a connection that closed: its queue is dropped.</summary>
    public void Remove(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var connection))
        {
            connection.Queue.Writer.TryComplete();
        }
    }

    /// <summary>Queues a message for one connection.</summary>
    public void ToOne(string connectionId, Func<IClusterClient, Task> send)
    {
        if (_connections.TryGetValue(connectionId, out var connection))
        {
            Enqueue(connection, send);
        }
    }

    /// <summary>Makes a connection watch <paramref name="clusters"/> from now on; returns those it did not watch before.</summary>
    public IReadOnlySet<string> Watch(string connectionId, IReadOnlySet<string> clusters)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return new HashSet<string>();
        }

        var added = clusters.Except(connection.Clusters, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        connection.Clusters = clusters;
        return added;
    }

    /// <summary>The clusters a connection watches (none once it is no longer served).</summary>
    public IReadOnlySet<string> WatchedBy(string connectionId) =>
        _connections.TryGetValue(connectionId, out var connection) ? connection.Clusters : new HashSet<string>();

    /// <summary>Queues a message about <paramref name="cluster"/> for every connection that watches it; returns at once.</summary>
    public void ToCluster(string cluster, Func<IClusterClient, Task> send)
    {
        foreach (var connection in _connections.Values)
        {
            if (connection.Clusters.Contains(cluster))
            {
                Enqueue(connection, send);
            }
        }
    }

    /// <summary>Queues a message about <paramref name="cluster"/> for the given connections that are still served and watch it.</summary>
    public void ToSome(IEnumerable<string> connectionIds, string cluster, Func<IClusterClient, Task> send)
    {
        foreach (var id in connectionIds)
        {
            if (_connections.TryGetValue(id, out var connection) && connection.Clusters.Contains(cluster))
            {
                Enqueue(connection, send);
            }
        }
    }

    private void Enqueue(Connection connection, Func<IClusterClient, Task> send)
    {
        if (!connection.Queue.Writer.TryWrite(send) && _connections.ContainsKey(connection.Context.ConnectionId))
        {
            Drop(connection, $"it is {QueueCapacity} messages behind");
        }
    }

    private async Task SendAsync(Connection connection)
    {
        var client = hub.Clients.Client(connection.Context.ConnectionId);
        await foreach (var send in connection.Queue.Reader.ReadAllAsync())
        {
            try
            {
                await send(client).WaitAsync(SendTimeout);
            }
            catch (TimeoutException)
            {
                Drop(connection, $"one message took longer than {SendTimeout.TotalSeconds:0} s to send");
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogDebug(ex, "Could not push to hub connection {ConnectionId}", connection.Context.ConnectionId);
            }
        }
    }

    private void Drop(Connection connection, string why)
    {
        if (_connections.TryRemove(connection.Context.ConnectionId, out _))
        {
            logger.LogWarning("Dropped hub connection {ConnectionId} of {User}: {Reason}", connection.Context.ConnectionId,
                connection.Context.UserIdentifier ?? connection.Context.User?.Identity?.Name ?? "(no name)", why);
            connection.Queue.Writer.TryComplete();
            connection.Context.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        var senders = _connections.Values.Select(c => c.Sender).ToList();
        foreach (var id in _connections.Keys)
        {
            Remove(id);
        }

        // A sender stuck on a client that does not read gives up after SendTimeout.
        await Task.WhenAll(senders.Select(s => s.WaitAsync(SendTimeout + TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    private sealed class Connection(HubCallerContext context)
    {
        public HubCallerContext Context { get; } = context;

        private volatile IReadOnlySet<string> _clusters = new HashSet<string>();

        /// <summary>The clusters it watches; replaced whole, never changed in place.</summary>
        public IReadOnlySet<string> Clusters
        {
            get => _clusters;
            set => _clusters = value;
        }

        public Channel<Func<IClusterClient, Task>> Queue { get; } = Channel.CreateBounded<Func<IClusterClient, Task>>(
            new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public Task Sender { get; set; } = Task.CompletedTask;
    }
}
