using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace ValkeyDashboard.Hubs;

/// <summary>
/// One bounded queue and one sender per hub connection, so that no client can delay another: what is pushed to a
/// connection waits in its own queue, and a connection that stops reading holds up only its own sender. A connection
/// whose queue is full (<see cref="QueueCapacity"/> messages behind) or whose one send takes longer than
/// <see cref="SendTimeout"/> is dropped; it can reconnect and starts again from the current state.
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

    /// <summary>Starts serving a connection (from <see cref="ClusterHub.OnConnectedAsync"/>): its queue and its sender.</summary>
    public void Add(HubCallerContext context)
    {
        var connection = new Connection(context);
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

    /// <summary>Queues a message for every connection; returns at once.</summary>
    public void ToAll(Func<IClusterClient, Task> send)
    {
        foreach (var connection in _connections.Values)
        {
            Enqueue(connection, send);
        }
    }

    /// <summary>Queues a message for the given connections (those that are still served).</summary>
    public void ToSome(IEnumerable<string> connectionIds, Func<IClusterClient, Task> send)
    {
        foreach (var id in connectionIds)
        {
            ToOne(id, send);
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

        public Channel<Func<IClusterClient, Task>> Queue { get; } = Channel.CreateBounded<Func<IClusterClient, Task>>(
            new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public Task Sender { get; set; } = Task.CompletedTask;
    }
}
