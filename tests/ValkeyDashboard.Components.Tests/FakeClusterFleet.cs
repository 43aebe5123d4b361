using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard.Components.Tests;

/// <summary>A hand-written fleet fed by the test through <see cref="Publish"/>: each publish is one cluster's poll.</summary>
public sealed class FakeClusterFleet : IClusterFleet, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _subscribers = [];
    private List<ClusterSummaryResponse> _summaries = [];

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

    /// <summary>A cluster's summary as the API gives it.</summary>
    public static ClusterSummaryResponse Summary(string name, ClusterState state, int nodes = 6, long keys = 1000, bool isDefault = false, string? error = null) =>
        new(name, isDefault, isDefault ? ValkeyMode.Embedded : ValkeyMode.External, state, nodes, state == ClusterState.Ok ? SlotRange.SlotCount : 0, keys,
            nodes * 1_048_576L, RunningMigrations: 0, RunningPlans: 0, DoctorFindings: 0, error, new Dictionary<string, string>());

    public IReadOnlyList<ClusterSummaryResponse> Summaries()
    {
        lock (_gate)
        {
            return _summaries;
        }
    }

    /// <summary>Replaces (or adds) the cluster's summary and tells the subscribers it polled.</summary>
    public void Publish(ClusterSummaryResponse summary)
    {
        lock (_gate)
        {
            var index = _summaries.FindIndex(s => s.Name == summary.Name);
            _summaries = index < 0 ? [.. _summaries, summary] : [.. _summaries[..index], summary, .. _summaries[(index + 1)..]];
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(summary.Name);
            }
        }
    }

    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<string>();
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        try
        {
            await foreach (var name in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return name;
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
