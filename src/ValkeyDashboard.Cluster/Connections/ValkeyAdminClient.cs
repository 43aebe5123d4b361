using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Cluster.Text;

using ClusterNode = ValkeyDashboard.Cluster.Model.ClusterNode;
using SlotRange = ValkeyDashboard.Cluster.Model.SlotRange;

namespace ValkeyDashboard.Cluster.Connections;

/// <summary>What <c>CLUSTER SETSLOT</c> does with a slot. Values are part of the wire contract.</summary>
public enum SetSlotAction
{
    /// <summary><c>IMPORTING &lt;source-id&gt;</c>, sent to the target of a key-by-key move.</summary>
    Importing = 0,

    /// <summary><c>MIGRATING &lt;target-id&gt;</c>, sent to the source of a key-by-key move.</summary>
    Migrating = 1,

    /// <summary><c>NODE &lt;owner-id&gt;</c>: the slot belongs to that node (ends a move).</summary>
    Node = 2,

    /// <summary><c>STABLE</c>: clears importing/migrating (rolls a move back).</summary>
    Stable = 3,
}

/// <summary>
/// Every command the dashboard sends to Valkey, one typed method each, and the one place where what the client libraries
/// throw becomes <see cref="ValkeyUnreachableException"/>, <see cref="ValkeyErrorException"/> (Valkey's own words) or
/// <see cref="ValkeyReplyException"/>. The monitor, the embedded host, the migration engine and the node service go
/// through it; no other code writes a command. Commands go to one node each (<paramref name="endpoint"/> parameters):
/// cluster administration is per node. <c>CLUSTER SLOT-STATS</c> (a 1.7 MB reply for all slots) goes over
/// <see cref="LeanRespClient"/>'s lean connections, everything else over StackExchange.Redis.
/// </summary>
public sealed class ValkeyAdminClient : IAsyncDisposable
{
    private readonly ValkeyConnection _connection;
    private readonly LeanRespClient _lean;
    private readonly bool _ownsConnection;

    /// <param name="connection">The connection to send commands over.</param>
    /// <param name="ownsConnection">Dispose <paramref name="connection"/> with this client (a short-lived client of its own).</param>
    public ValkeyAdminClient(ValkeyConnection connection, bool ownsConnection = false)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _lean = new LeanRespClient(connection.Options);
    }

    // ----- CLUSTER: topology -----

    /// <summary><c>CLUSTER SHARDS</c>: the shards with their slots and nodes, as this node sees them.</summary>
    public async Task<ImmutableArray<ShardInfo>> ClusterShardsAsync(string endpoint) =>
        ClusterShardsParser.Parse(await ExecuteAsync(endpoint, "CLUSTER", "SHARDS"));

    /// <summary><c>CLUSTER INFO</c>: <c>cluster_state</c>, <c>cluster_known_nodes</c>, …</summary>
    public async Task<InfoReply> ClusterInfoAsync(string endpoint) =>
        InfoReply.Parse(ReadText(await ExecuteAsync(endpoint, "CLUSTER", "INFO"), "CLUSTER INFO"));

    /// <summary><c>CLUSTER NODES</c>: every node as this node sees it, with flags (<c>fail</c>, <c>noaddr</c>), slots, and this node's own open slots.</summary>
    public async Task<ImmutableArray<ClusterNodesEntry>> ClusterNodesAsync(string endpoint) =>
        ClusterNodesParser.Parse(ReadText(await ExecuteAsync(endpoint, "CLUSTER", "NODES"), "CLUSTER NODES"));

    /// <summary><c>CLUSTER MYID</c>: the node's 40-hex id.</summary>
    public async Task<string> ClusterMyIdAsync(string endpoint) =>
        ReadText(await ExecuteAsync(endpoint, "CLUSTER", "MYID"), "CLUSTER MYID");

    /// <summary><c>CLUSTER MEET ip port</c>, sent to a member: it introduces the node at <paramref name="ip"/>:<paramref name="port"/> to the cluster.</summary>
    public Task ClusterMeetAsync(string endpoint, string ip, int port) =>
        ExpectOkAsync(endpoint, "CLUSTER", "MEET", ip, port);

    /// <summary><c>CLUSTER FORGET id</c>: this node drops <paramref name="nodeId"/> from its table (for Valkey's forget window).</summary>
    public Task ClusterForgetAsync(string endpoint, string nodeId) =>
        ExpectOkAsync(endpoint, "CLUSTER", "FORGET", nodeId);

    /// <summary><c>CLUSTER REPLICATE id</c>: this node becomes a replica of <paramref name="primaryId"/>.</summary>
    public Task ClusterReplicateAsync(string endpoint, string primaryId) =>
        ExpectOkAsync(endpoint, "CLUSTER", "REPLICATE", primaryId);

    /// <summary>
    /// <c>CLUSTER FAILOVER</c>, sent to a replica: a coordinated manual failover. The primary stops accepting writes,
    /// the replica catches up with its replication stream, then takes over the shard; no acknowledged write is lost.
    /// Answers at once: the switch happens after.
    /// </summary>
    public Task ClusterFailoverAsync(string endpoint) =>
        ExpectOkAsync(endpoint, "CLUSTER", "FAILOVER");

    /// <summary>
    /// <c>CLIENT PAUSE ms WRITE</c>: the node holds every client's write commands (reads go on) until
    /// <see cref="ClientUnpauseAsync"/> or until <paramref name="limit"/> has passed, whichever comes first.
    /// </summary>
    public Task ClientPauseWritesAsync(string endpoint, TimeSpan limit) =>
        ExpectOkAsync(endpoint, "CLIENT", "PAUSE", (long)limit.TotalMilliseconds, "WRITE");

    /// <summary>
    /// <c>CLIENT KILL TYPE normal SKIPME yes</c>: closes every ordinary client connection but the caller's (not replicas,
    /// not pub/sub); clients reconnect and learn the node afresh. Returns how many were closed.
    /// </summary>
    public async Task<long> ClientKillNormalAsync(string endpoint) =>
        ReadInteger(await ExecuteAsync(endpoint, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"), "CLIENT KILL");

    /// <summary><c>CLIENT UNPAUSE</c>: held commands run.</summary>
    public Task ClientUnpauseAsync(string endpoint) =>
        ExpectOkAsync(endpoint, "CLIENT", "UNPAUSE");

    /// <summary><c>PUBLISH channel message</c> from this node (cluster pub/sub reaches the subscribers on every node).</summary>
    public async Task<long> PublishAsync(string endpoint, string channel, string message) =>
        ReadInteger(await ExecuteAsync(endpoint, "PUBLISH", channel, message), "PUBLISH");

    /// <summary>
    /// <c>CLUSTER RESET HARD</c>: the node forgets every other node, takes a new id and leaves its cluster (a primary
    /// must hold no keys). Used on a node removed from the cluster, so it cannot rejoin through gossip.
    /// </summary>
    public Task ClusterResetHardAsync(string endpoint) =>
        ExpectOkAsync(endpoint, "CLUSTER", "RESET", "HARD");

    /// <summary><c>DBSIZE</c>: keys the node holds.</summary>
    public async Task<long> DbSizeAsync(string endpoint) =>
        ReadInteger(await ExecuteAsync(endpoint, "DBSIZE"), "DBSIZE");

    /// <summary><c>CLUSTER ADDSLOTSRANGE start end</c>: this primary takes the unassigned slots of <paramref name="range"/>.</summary>
    public Task ClusterAddSlotsRangeAsync(string endpoint, SlotRange range) =>
        ExpectOkAsync(endpoint, "CLUSTER", "ADDSLOTSRANGE", range.Start, range.End);

    // ----- CLUSTER: keys in slots -----

    /// <summary><c>CLUSTER COUNTKEYSINSLOT slot</c> (on an importing target it counts staged keys too).</summary>
    public async Task<long> CountKeysInSlotAsync(string endpoint, int slot) =>
        ReadInteger(await ExecuteAsync(endpoint, "CLUSTER", "COUNTKEYSINSLOT", slot), "CLUSTER COUNTKEYSINSLOT");

    /// <summary>Σ <c>CLUSTER COUNTKEYSINSLOT</c> over <paramref name="slots"/>, pipelined.</summary>
    public async Task<long> CountKeysInSlotsAsync(string endpoint, SlotRangeSet slots) =>
        (await CountKeysPerSlotAsync(endpoint, [.. slots.Slots()])).Sum();

    /// <summary><c>CLUSTER COUNTKEYSINSLOT</c> of each of <paramref name="slots"/>, all pipelined on the node's connection; counts in the same order.</summary>
    public Task<long[]> CountKeysPerSlotAsync(string endpoint, IReadOnlyList<int> slots) =>
        Task.WhenAll(slots.Select(s => CountKeysInSlotAsync(endpoint, s)));

    /// <summary><c>CLUSTER GETKEYSINSLOT slot count</c>: up to <paramref name="count"/> key names of the slot, as the bytes Valkey returned.</summary>
    public async Task<IReadOnlyList<byte[]>> GetKeysInSlotAsync(string endpoint, int slot, int count)
    {
        var reply = ReplyReader.ReadArray(await ExecuteAsync(endpoint, "CLUSTER", "GETKEYSINSLOT", slot, count), "CLUSTER GETKEYSINSLOT");
        return [.. reply.Select(k => (byte[]?)k ?? [])];
    }

    /// <summary>
    /// <c>MIGRATE host port "" 0 timeout [REPLACE] [AUTH pw | AUTH2 user pw] KEYS k…</c>, sent to the node holding the
    /// keys: each key moves to the node at <paramref name="targetEndpoint"/> and is deleted here. The dashboard's own
    /// user and password authenticate on the target. False when none of the keys existed any more (<c>NOKEY</c>).
    /// Valkey's <c>BUSYKEY</c> (the target has one of the keys) and <c>IOERR</c> (no answer within the timeout) arrive
    /// as <see cref="ValkeyErrorException"/>.
    /// </summary>
    public async Task<bool> MigrateKeysAsync(string endpoint, string targetEndpoint, IReadOnlyList<byte[]> keys, TimeSpan timeout, bool replace)
    {
        var reply = await ExecuteAsync(endpoint, "MIGRATE", MigrateArguments(targetEndpoint, timeout, replace, _connection.Options.User, _connection.Options.Password, keys));
        return (string?)reply switch
        {
            "OK" => true,
            "NOKEY" => false,
            var other => throw new ValkeyReplyException($"MIGRATE: expected OK or NOKEY, got {other}") { Endpoint = endpoint, Command = "MIGRATE" },
        };
    }

    /// <summary>The MIGRATE command <see cref="MigrateKeysAsync"/> sends, as text for a dry run (the password shown as <c>&lt;password&gt;</c>, keys by a description).</summary>
    public string DescribeMigrate(string targetEndpoint, TimeSpan timeout, bool replace, string keys)
    {
        var options = _connection.Options;
        var auth = string.IsNullOrEmpty(options.Password) ? string.Empty
            : string.IsNullOrEmpty(options.User) ? " AUTH <password>" : $" AUTH2 {options.User} <password>";
        var (host, port) = SplitEndpoint(targetEndpoint);
        return $"MIGRATE {host} {port} \"\" 0 {(long)timeout.TotalMilliseconds}{(replace ? " REPLACE" : string.Empty)}{auth} KEYS {keys}";
    }

    /// <summary><c>CLUSTER SETSLOT slot IMPORTING|MIGRATING|NODE id</c> or <c>… STABLE</c>.</summary>
    public Task ClusterSetSlotAsync(string endpoint, int slot, SetSlotAction action, string? nodeId = null)
    {
        if (action != SetSlotAction.Stable && string.IsNullOrEmpty(nodeId))
        {
            throw new ArgumentException($"CLUSTER SETSLOT {action} needs a node id", nameof(nodeId));
        }

        object[] args = action == SetSlotAction.Stable
            ? ["SETSLOT", slot, "STABLE"]
            : ["SETSLOT", slot, action.ToString().ToUpperInvariant(), nodeId!];
        return ExpectOkAsync(endpoint, "CLUSTER", args);
    }

    // ----- CLUSTER: atomic slot migration (Valkey 9) -----

    /// <summary>
    /// <c>CLUSTER MIGRATESLOTS SLOTSRANGE s e [s e …] NODE target</c>, sent to the source primary that owns every slot of
    /// <paramref name="slots"/>. Valkey checks the whole request before starting anything: a refusal starts nothing.
    /// </summary>
    public Task MigrateSlotsAsync(string endpoint, SlotRangeSet slots, string targetNodeId) =>
        ExpectOkAsync(endpoint, "CLUSTER", MigrateSlotsArguments(slots, targetNodeId));

    /// <summary><c>CLUSTER GETSLOTMIGRATIONS</c>: the node's log of atomic migration jobs, newest first.</summary>
    public async Task<ImmutableArray<SlotMigrationLogEntry>> GetSlotMigrationsAsync(string endpoint) =>
        SlotMigrationLogParser.Parse(await ExecuteAsync(endpoint, "CLUSTER", "GETSLOTMIGRATIONS"));

    /// <summary>
    /// <c>CLUSTER CANCELSLOTMIGRATIONS</c>: cancels every active export of the node. False when it had none
    /// (<c>No migrations ongoing</c>: a job that just ended).
    /// </summary>
    public async Task<bool> CancelSlotMigrationsAsync(string endpoint)
    {
        try
        {
            await ExecuteAsync(endpoint, "CLUSTER", "CANCELSLOTMIGRATIONS");
            return true;
        }
        catch (ValkeyErrorException ex) when (ex.Says("No migrations ongoing"))
        {
            return false;
        }
    }

    // ----- CLUSTER: per-slot statistics -----

    /// <summary>
    /// <c>CLUSTER SLOT-STATS SLOTSRANGE start end</c>: key counts (and CPU and network when the node has
    /// <c>cluster-slot-stats-enabled yes</c>) of the slots in <paramref name="range"/> that the node's shard owns.
    /// </summary>
    public async Task<List<SlotStatsEntry>> SlotStatsAsync(string endpoint, SlotRange range, CancellationToken cancellationToken = default)
    {
        try
        {
            var command = LeanRespClient.Command("CLUSTER", "SLOT-STATS", "SLOTSRANGE", range.Start.ToString(CultureInfo.InvariantCulture), range.End.ToString(CultureInfo.InvariantCulture));
            return await _lean.ExecuteAsync(endpoint, command, reply => SlotStatsParser.Parse(reply.Span), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or TimeoutException)
        {
            throw new ValkeyUnreachableException(ErrorText.Brief(ex), ex) { Endpoint = endpoint, Command = "CLUSTER SLOT-STATS" };
        }
        catch (ValkeyException ex) when (ex.Endpoint is null)
        {
            throw ex is ValkeyErrorException
                ? new ValkeyErrorException(ex.Message, ex) { Endpoint = endpoint, Command = "CLUSTER SLOT-STATS" }
                : new ValkeyReplyException(ex.Message, ex) { Endpoint = endpoint, Command = "CLUSTER SLOT-STATS" };
        }
    }

    /// <summary>
    /// Key counts of the slots of <paramref name="range"/> that <paramref name="node"/>'s shard owns, as its server can
    /// tell them: <c>CLUSTER SLOT-STATS</c> where it has that (Valkey 8+), else <c>CLUSTER COUNTKEYSINSLOT</c> per owned
    /// slot, pipelined (Redis, Valkey 7.2); no load metrics in the latter.
    /// </summary>
    public async Task<List<SlotStatsEntry>> KeyCountsAsync(ClusterNode node, SlotRange range, CancellationToken cancellationToken = default)
    {
        if (node.Capabilities.HasFlag(NodeCapabilities.SlotStats))
        {
            return await SlotStatsAsync(node.Endpoint, range, cancellationToken);
        }

        int[] slots = [.. node.Slots.Intersect(SlotRangeSet.From([range])).Slots()];
        var counts = await CountKeysPerSlotAsync(node.Endpoint, slots);
        return [.. slots.Select((slot, i) => new SlotStatsEntry(slot, counts[i], null, null, null))];
    }

    /// <summary>
    /// Memory of a sample of the slot's keys: <c>CLUSTER GETKEYSINSLOT slot count</c>, then <c>MEMORY USAGE key SAMPLES 0</c>
    /// for each (pipelined; keys are sent as the bytes Valkey returned). Returns how many keys were measured and their bytes.
    /// </summary>
    public async Task<(int Keys, long Bytes)> SampleSlotMemoryAsync(string endpoint, int slot, int count)
    {
        var keys = ReplyReader.ReadArray(await ExecuteAsync(endpoint, "CLUSTER", "GETKEYSINSLOT", slot, count), "CLUSTER GETKEYSINSLOT");
        var usages = await Task.WhenAll(keys.Select(k => ExecuteAsync(endpoint, "MEMORY", "USAGE", (RedisKey)(byte[])k!, "SAMPLES", 0)));
        var measured = usages.Where(u => !u.IsNull).Select(u => ReadInteger(u, "MEMORY USAGE")).ToList();
        return (measured.Count, measured.Sum());
    }

    // ----- INFO and CONFIG -----

    /// <summary><c>INFO section…</c> (every default section when none is given).</summary>
    public async Task<InfoReply> InfoAsync(string endpoint, params string[] sections) =>
        InfoReply.Parse(ReadText(await ExecuteAsync(endpoint, "INFO", [.. sections]), "INFO"));

    /// <summary><c>INFO section…</c>, keeping only <paramref name="fields"/> (and the keyspace lines) of the reply.</summary>
    public async Task<InfoReply> InfoAsync(string endpoint, FrozenSet<string> fields, params string[] sections) =>
        InfoReply.Parse(ReadText(await ExecuteAsync(endpoint, "INFO", [.. sections]), "INFO"), fields);

    /// <summary><c>CONFIG GET name</c>: the value, or null when the server has no such parameter.</summary>
    public async Task<string?> ConfigGetAsync(string endpoint, string name)
    {
        var reply = ReplyReader.ReadArray(await ExecuteAsync(endpoint, "CONFIG", "GET", name), "CONFIG GET");
        return reply.Length >= 2 ? (string?)reply[1] : null;
    }

    /// <summary><c>CONFIG SET name value</c> at runtime (not written to the node's config file).</summary>
    public Task ConfigSetAsync(string endpoint, string name, string value) =>
        ExpectOkAsync(endpoint, "CONFIG", "SET", name, value);

    public async ValueTask DisposeAsync()
    {
        await _lean.DisposeAsync();
        if (_ownsConnection)
        {
            await _connection.DisposeAsync();
        }
    }

    /// <summary><c>MIGRATESLOTS SLOTSRANGE s e [s e …] NODE target</c> (after <c>CLUSTER</c>).</summary>
    internal static object[] MigrateSlotsArguments(SlotRangeSet slots, string targetNodeId)
    {
        var args = new List<object> { "MIGRATESLOTS", "SLOTSRANGE" };
        foreach (var range in slots.Ranges)
        {
            args.Add(range.Start);
            args.Add(range.End);
        }

        args.Add("NODE");
        args.Add(targetNodeId);
        return [.. args];
    }

    /// <summary><c>host port "" 0 timeout [REPLACE] [AUTH pw | AUTH2 user pw] KEYS k…</c> (after <c>MIGRATE</c>).</summary>
    internal static object[] MigrateArguments(string targetEndpoint, TimeSpan timeout, bool replace, string? user, string? password, IReadOnlyList<byte[]> keys)
    {
        var (host, port) = SplitEndpoint(targetEndpoint);
        var args = new List<object> { host, port, string.Empty, 0, (long)timeout.TotalMilliseconds };
        if (replace)
        {
            args.Add("REPLACE");
        }

        if (!string.IsNullOrEmpty(password))
        {
            args.AddRange(string.IsNullOrEmpty(user) ? ["AUTH", password] : ["AUTH2", user, password]);
        }

        args.Add("KEYS");
        args.AddRange(keys.Select(k => (object)(RedisKey)k));
        return [.. args];
    }

    private static (string Host, int Port) SplitEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon].Trim('[', ']'), int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Sends one command and translates failures: the one place that knows how StackExchange.Redis reports them
    /// (a server error is <see cref="RedisServerException"/>; everything else, timeouts included, means no answer).
    /// </summary>
    private async Task<RedisResult> ExecuteAsync(string endpoint, string command, params object[] args)
    {
        try
        {
            return await _connection.ExecuteAsync(endpoint, command, args);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            var name = args.Length > 0 && command is "CLUSTER" or "CONFIG" or "MEMORY" ? $"{command} {args[0]}" : command;
            throw ex is RedisServerException
                ? new ValkeyErrorException(ex.Message, ex) { Endpoint = endpoint, Command = name }
                : new ValkeyUnreachableException(ErrorText.Brief(ex), ex) { Endpoint = endpoint, Command = name };
        }
    }

    private async Task ExpectOkAsync(string endpoint, string command, params object[] args)
    {
        var reply = await ExecuteAsync(endpoint, command, args);
        if (reply.Resp2Type != ResultType.SimpleString || !string.Equals((string?)reply, "OK", StringComparison.Ordinal))
        {
            throw new ValkeyReplyException($"{command} {(args.Length > 0 ? args[0] : string.Empty)}: expected OK, got {reply}") { Endpoint = endpoint };
        }
    }

    private static string ReadText(RedisResult reply, string what) =>
        reply.IsNull ? throw new ValkeyReplyException($"{what}: expected text, got null") : (string)reply!;

    private static long ReadInteger(RedisResult reply, string what) =>
        reply.Resp2Type == ResultType.Integer ? (long)reply : ReplyReader.ToInt64(reply, what);
}
