using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Components.Tests;

/// <summary>A hand-written snapshot source fed by the test through <see cref="Publish"/> (Aspire's pattern: a Channel, no mocking library).</summary>
public sealed class FakeClusterSnapshotSource : IClusterSnapshotSource, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Channel<ClusterSnapshot>> _subscribers = [];

    public ClusterSnapshot Current { get; private set; } = ClusterSnapshot.Initial;

    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    public void Publish(ClusterSnapshot snapshot)
    {
        lock (_gate)
        {
            Current = snapshot;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(snapshot);
            }
        }
    }

    public async IAsyncEnumerable<ClusterSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ClusterSnapshot>();
        lock (_gate)
        {
            _subscribers.Add(channel);
            channel.Writer.TryWrite(Current);
        }

        try
        {
            await foreach (var snapshot in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return snapshot;
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }
        }
    }
}
