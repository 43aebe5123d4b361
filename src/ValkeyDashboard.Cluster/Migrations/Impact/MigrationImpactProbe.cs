using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Migrations.Impact;

/// <summary>
/// Measures what each migration costs clients: the tracker begins a probe when it follows a running migration and
/// finishes it when the migration ends (whatever the engine), and stores the result on the migration. The probe is
/// a small client of the dashboard's own (<see cref="ClusterClients"/>) writing keys named
/// <c>valkey-dashboard:probe:{tag}:&lt;migration id&gt;</c> with a short TTL, deleted at the end. Nothing it sees
/// (errors, a node that does not answer) ever fails a migration: a probe that cannot run leaves the impact empty.
/// </summary>
public sealed class MigrationImpactProbe(
    ClusterClients clients,
    IClusterSnapshotSource cluster,
    IOptions<ImpactProbeOptions> options,
    ImpactProbeMetrics metrics,
    ILogger<MigrationImpactProbe> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>What every probe key starts with.</summary>
    public const string KeyPrefix = "valkey-dashboard:probe:";

    /// <summary>Whether <paramref name="key"/> is one of the probe's (the key-by-key engine does not count them as keys moved).</summary>
    public static bool IsProbeKey(ReadOnlySpan<byte> key) => key.StartsWith("valkey-dashboard:probe:"u8);

    private readonly ConcurrentDictionary<string, Task<ImpactProbeSession?>> _sessions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ConnectionMultiplexer? _client;
    private int[]? _tagBySlot;

    /// <summary>Whether a probe runs for migration <paramref name="migrationId"/>.</summary>
    public bool IsProbing(string migrationId) => _sessions.ContainsKey(migrationId);

    /// <summary>Starts probing <paramref name="migration"/> unless it is probed already, has finished, or probing is off. Returns at once.</summary>
    public void Begin(Migration migration)
    {
        if (!options.Value.Enabled || migration.IsFinished || _sessions.ContainsKey(migration.Id))
        {
            return;
        }

        _sessions.GetOrAdd(migration.Id, _ => StartSessionAsync(migration));
    }

    /// <summary>Stops the probe of migration <paramref name="migrationId"/> and returns what it measured; null when none ran or it could not run.</summary>
    public async Task<MigrationImpact?> FinishAsync(string migrationId, string engine)
    {
        if (!_sessions.TryRemove(migrationId, out var starting))
        {
            return null;
        }

        try
        {
            if (await starting is not { } session)
            {
                return null;
            }

            using var finishing = session;
            var impact = await session.FinishAsync();
            metrics.RecordMaxPause(engine, impact.MaxPauseMs);
            logger.LogInformation(
                "Migration {MigrationId} cost clients: p50 {P50Ms} ms, p99 {P99Ms} ms, longest write pause {MaxPauseMs} ms over {Probes} probes ({Errors} errors)",
                migrationId, impact.P50Ms, impact.P99Ms, impact.MaxPauseMs, impact.Probes, impact.Errors);
            return impact;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("The impact probe of migration {MigrationId} could not finish: {Reason}", migrationId, ErrorText.Brief(ex));
            return null;
        }
    }

    /// <summary>Connects the probe's client in the background, so the first migration's probe starts at once.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            _ = ConnectQuietlyAsync();
        }

        return Task.CompletedTask;
    }

    /// <summary>Finishes every probe (deleting its keys) and closes the client.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _sessions.Keys)
        {
            await FinishAsync(id, "stopping");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (Interlocked.Exchange(ref _client, null) is { } client)
        {
            await client.DisposeAsync();
        }

        _connectLock.Dispose();
    }

    private async Task<ImpactProbeSession?> StartSessionAsync(Migration migration)
    {
        // Off the caller's path: the tracker must not wait for the probe's connection.
        await Task.Yield();
        try
        {
            var client = await ClientAsync();
            var probe = options.Value;
            var owners = cluster.Current.SlotOwners;
            var session = new ImpactProbeSession(
                client.GetDatabase(),
                Keys(client, ImpactProbeSlots.Moving(migration.Slots, probe.KeysPerSide), migration.Id),
                Keys(client, ImpactProbeSlots.Elsewhere(migration.Slots, owners, probe.KeysPerSide), migration.Id),
                probe, metrics, logger);
            session.Start();
            return session;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            logger.LogWarning("No impact probe for migration {MigrationId}: {Reason}", migration.Id, ErrorText.Brief(ex));
            return null;
        }
    }

    /// <summary>One key per slot, in that slot through a hash tag: <c>valkey-dashboard:probe:{tag}:&lt;migration id&gt;</c>.</summary>
    private ImmutableArray<RedisKey> Keys(ConnectionMultiplexer client, ImmutableArray<int> slots, string migrationId)
    {
        var tags = _tagBySlot ??= TagsBySlot(client);
        return [.. slots.Select(slot => (RedisKey)$"{KeyPrefix}{{{tags[slot]}}}:{migrationId}")];
    }

    /// <summary>For each slot the smallest number whose <c>{number}</c> hash tag maps to it (computed once, about 170,000 hashes).</summary>
    private static int[] TagsBySlot(ConnectionMultiplexer client)
    {
        var tags = new int[Model.SlotRange.SlotCount];
        Array.Fill(tags, -1);
        var found = 0;
        for (var n = 0; found < tags.Length; n++)
        {
            var slot = client.HashSlot($"{{{n}}}");
            if (tags[slot] < 0)
            {
                tags[slot] = n;
                found++;
            }
        }

        return tags;
    }

    private async Task<ConnectionMultiplexer> ClientAsync()
    {
        if (_client is { } existing)
        {
            return existing;
        }

        await _connectLock.WaitAsync();
        try
        {
            return _client ??= await clients.ConnectAsync("valkey-dashboard-probe");
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task ConnectQuietlyAsync()
    {
        try
        {
            await ClientAsync();
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            logger.LogDebug("The impact probe's client will connect when a migration starts: {Reason}", ex.Message);
        }
    }
}
