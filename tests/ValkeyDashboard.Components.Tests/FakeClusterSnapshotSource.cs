using System.Threading.Channels;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Concurrency;

namespace ValkeyDashboard.Components.Tests;

/// <summary>A hand-written snapshot source fed by the test through <see cref="Publish"/> (Aspire's pattern: channels, no mocking library).</summary>
public sealed class FakeClusterSnapshotSource : IClusterSnapshotSource, IDisposable
{
    private readonly SubscriberChannels<ClusterSnapshot> _subscribers = new(() => Channel.CreateUnbounded<ClusterSnapshot>());

    public ClusterSnapshot Current { get; private set; } = ClusterSnapshot.Initial;

    public int SubscriberCount => _subscribers.Count;

    public void Publish(ClusterSnapshot snapshot) => _subscribers.Publish(snapshot, () => Current = snapshot);

    public IAsyncEnumerable<ClusterSnapshot> WatchAsync(CancellationToken cancellationToken = default) => _subscribers.SubscribeAsync(() => Current, cancellationToken);

    public void Dispose() => _subscribers.CompleteAll();
}
