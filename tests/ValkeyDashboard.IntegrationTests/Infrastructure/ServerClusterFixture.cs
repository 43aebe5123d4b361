namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A 3-primary cluster of one <see cref="ServerKind"/>, formed by that server's own CLI (<see cref="CliCluster"/>), shared
/// by the tests of one class: <c>public class MyTests(Redis7ClusterFixture fixture) : IClassFixture&lt;Redis7ClusterFixture&gt;</c>.
/// One subclass per kind (below); a test that needs another shape (replicas, spares, a password) derives its own and
/// overrides <see cref="Replicas"/>, <see cref="Spares"/> or <see cref="Password"/>. Each class starts its cluster once
/// and stops it after its last test; tests put back what they change.
/// </summary>
public abstract class ServerClusterFixture : IAsyncLifetime
{
    /// <summary>What the nodes run.</summary>
    protected abstract ServerKind Kind { get; }

    /// <summary>Replicas per primary (none by default).</summary>
    protected virtual int Replicas => 0;

    /// <summary>Nodes started in cluster mode that belong to no cluster yet (none by default).</summary>
    protected virtual int Spares => 0;

    /// <summary>The password every node requires (none by default).</summary>
    protected virtual string? Password => null;

    public CliCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await CliCluster.StartAsync(primaries: 3, Replicas, Spares, Kind, Password);

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>Three Valkey 9 primaries (the version the dashboard itself runs) formed by valkey-cli.</summary>
public sealed class Valkey9ClusterFixture : ServerClusterFixture
{
    protected override ServerKind Kind => ServerKind.Valkey9;
}

/// <summary>Three Valkey 8.0 primaries (Debian 12 backports).</summary>
public sealed class Valkey8ClusterFixture : ServerClusterFixture
{
    protected override ServerKind Kind => ServerKind.Valkey8;
}

/// <summary>Three Redis 7.0 primaries (Debian 12).</summary>
public sealed class Redis7ClusterFixture : ServerClusterFixture
{
    protected override ServerKind Kind => ServerKind.Redis7;
}

/// <summary>Three Redis 7.0 primaries that require a password (<c>requirepass</c>).</summary>
public sealed class Redis7PasswordClusterFixture : ServerClusterFixture
{
    public const string Secret = "older-server-secret";

    protected override ServerKind Kind => ServerKind.Redis7;

    protected override string? Password => Secret;
}

/// <summary>Three Redis 8.0 primaries (Debian testing).</summary>
public sealed class Redis8ClusterFixture : ServerClusterFixture
{
    protected override ServerKind Kind => ServerKind.Redis8;
}
