using System.Threading.Channels;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Load;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// A hand-written demo load (no mocking library): a start or stop changes its state as the real one would (published
/// to <see cref="WatchAsync"/>) and is remembered in <see cref="Requests"/>; <see cref="NotAllowedReason"/> and
/// <see cref="Publish"/> let a test set the scene.
/// </summary>
public sealed class FakeDemoLoad : IDemoLoad
{
    private readonly SubscriberChannels<DemoLoadState> _states = new(() => Channel.CreateUnbounded<DemoLoadState>());
    private readonly Lock _gate = new();
    private readonly List<string> _requests = [];
    private DemoLoadState _current = DemoLoadState.None;

    public DemoLoadState Current => Volatile.Read(ref _current);

    public string? NotAllowedReason { get; set; }

    /// <summary>What was asked, in order: <c>start {parameters} by {actor}</c>, <c>stop by {actor}</c>.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public void Publish(DemoLoadState state) => _states.Publish(state, () => Volatile.Write(ref _current, state));

    public Task<DemoLoadState> StartAsync(int? keys, int? valueBytes, int? opsPerSecond, string? skew, int? durationSeconds, string requestedBy, CancellationToken cancellationToken = default)
    {
        var parameters = DemoLoadParameters.Resolve(keys, valueBytes, opsPerSecond, skew, durationSeconds, new DemoLoadOptions());
        if (Current.Running)
        {
            throw RequestRefusedException.Conflict("a demo load is running");
        }

        Remember($"start {parameters} by {requestedBy}");
        var state = new DemoLoadState(true, requestedBy, DateTimeOffset.UtcNow, null, null, parameters, 0, 0, 0);
        Publish(state);
        return Task.FromResult(state);
    }

    public Task<DemoLoadState> StopAsync(string requestedBy, CancellationToken cancellationToken = default)
    {
        if (!Current.Running)
        {
            throw RequestRefusedException.Conflict("no demo load is running; nothing changed");
        }

        Remember($"stop by {requestedBy}");
        var state = Current with { Running = false, StoppedAt = DateTimeOffset.UtcNow, StopReason = $"stopped by {requestedBy}" };
        Publish(state);
        return Task.FromResult(state);
    }

    public IAsyncEnumerable<DemoLoadState> WatchAsync(CancellationToken cancellationToken = default) => _states.SubscribeAsync(() => Current, cancellationToken);

    private void Remember(string request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }
}
