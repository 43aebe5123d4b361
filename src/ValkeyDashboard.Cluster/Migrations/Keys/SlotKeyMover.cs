using System.Text;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Migrations.Impact;

namespace ValkeyDashboard.Cluster.Migrations.Keys;

/// <summary>A node of a key-by-key move: its id and the endpoint commands go to.</summary>
public sealed record NodeAddress(string Id, string Endpoint);

/// <summary>
/// A slot's keys could not move; the message names the slot, the key (when one is to blame) and the node, and says
/// the slot was left open (migrating on the source, importing on the target) with every key on one of the two.
/// </summary>
public sealed class KeyMoveException : Exception
{
    public KeyMoveException()
    {
    }

    public KeyMoveException(string message)
        : base(message)
    {
    }

    public KeyMoveException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The slot that stays open.</summary>
    public int Slot { get; init; }
}

/// <summary>
/// The classic key-by-key move of one slot, in three steps the engine and the open-slot repair share:
/// <see cref="OpenAsync"/> (<c>SETSLOT IMPORTING</c> on the target, then <c>SETSLOT MIGRATING</c> on the source),
/// <see cref="MoveKeysAsync"/> (<c>GETKEYSINSLOT</c> + <c>MIGRATE … KEYS</c> until the source has none) and
/// <see cref="AssignAsync"/> (<c>SETSLOT NODE</c> on the new owner, then the old one, then every other primary).
/// </summary>
public sealed class SlotKeyMover(ValkeyAdminClient valkey, KeyMigrationOptions options) : IAsyncDisposable
{
    public KeyMigrationOptions Options => options;

    /// <summary>Disposes the client when this mover owns it (a worker's lane with a connection of its own).</summary>
    public ValueTask DisposeAsync() => valkey.DisposeAsync();

    /// <summary>Opens <paramref name="slot"/> for the move (again, after a restart: both commands are idempotent).</summary>
    public async Task OpenAsync(int slot, NodeAddress source, NodeAddress target)
    {
        await Send(target, () => valkey.ClusterSetSlotAsync(target.Endpoint, slot, SetSlotAction.Importing, source.Id), slot, "SETSLOT IMPORTING");
        await Send(source, () => valkey.ClusterSetSlotAsync(source.Endpoint, slot, SetSlotAction.Migrating, target.Id), slot, "SETSLOT MIGRATING");
    }

    /// <summary>
    /// Moves every key of <paramref name="slot"/> from <paramref name="source"/> to <paramref name="target"/>, batch by
    /// batch, reporting each batch's key count; stops between batches when <paramref name="stopping"/> fires (the slot
    /// stays open). Throws <see cref="KeyMoveException"/> naming the slot and key when a batch cannot move.
    /// </summary>
    public async Task MoveKeysAsync(int slot, NodeAddress source, NodeAddress target, bool replace, Action<int> moved, CancellationToken stopping)
    {
        while (true)
        {
            stopping.ThrowIfCancellationRequested();
            IReadOnlyList<byte[]> keys = [];
            await Send(source, async () => keys = await valkey.GetKeysInSlotAsync(source.Endpoint, slot, options.KeysPerBatch), slot, "CLUSTER GETKEYSINSLOT");
            if (keys.Count == 0)
            {
                return;
            }

            try
            {
                if (await valkey.MigrateKeysAsync(source.Endpoint, target.Endpoint, keys, options.MigrateTimeout, replace))
                {
                    moved(UserKeys(keys));
                }
            }
            catch (ValkeyErrorException ex) when (keys.Count > 1 && (ex.Says("BUSYKEY") || ex.Says("IOERR")))
            {
                // Valkey does not say which key: moving the batch one key at a time moves the others and names it.
                foreach (var key in keys)
                {
                    await MoveOneAsync(slot, source, target, key, replace, moved, timedOut: ex.Says("IOERR") ? ex : null);
                }
            }
            catch (ValkeyException ex)
            {
                throw Failure(slot, source, target, keys, ex);
            }
        }
    }

    /// <summary>Keys moved that count as moved: the impact probe's own keys move with their slot but are not the user's.</summary>
    private static int UserKeys(IReadOnlyList<byte[]> keys) => keys.Count(k => !MigrationImpactProbe.IsProbeKey(k));

    /// <param name="timedOut">The batch's IOERR, when this retry follows one. A key the target then already has is
    /// one the timed-out MIGRATE stored there without the source learning it: the source still has it, and while the slot
    /// is open clients are served the source's copy, so that copy replaces the target's (as <c>valkey-cli --cluster
    /// fix</c> does).</param>
    private async Task MoveOneAsync(int slot, NodeAddress source, NodeAddress target, byte[] key, bool replace, Action<int> moved, ValkeyErrorException? timedOut)
    {
        try
        {
            if (await valkey.MigrateKeysAsync(source.Endpoint, target.Endpoint, [key], options.MigrateTimeout, replace))
            {
                moved(UserKeys([key]));
            }
        }
        catch (ValkeyErrorException ex) when (timedOut is not null && ex.Says("BUSYKEY"))
        {
            await MoveOneAsync(slot, source, target, key, replace: true, moved, timedOut: null);
        }
        catch (ValkeyException ex)
        {
            throw Failure(slot, source, target, [key], ex);
        }
    }

    /// <summary>Why <paramref name="keys"/> could not move, naming the slot, the key and the nodes.</summary>
    private KeyMoveException Failure(int slot, NodeAddress source, NodeAddress target, IReadOnlyList<byte[]> keys, ValkeyException ex)
    {
        var what = keys.Count == 1 ? $"key \"{Show(keys[0])}\"" : $"{keys.Count} keys (the first \"{Show(keys[0])}\")";
        var message = ex switch
        {
            ValkeyErrorException busy when busy.Says("BUSYKEY") =>
                $"slot {slot}: {what} already exists on the target {target.Endpoint}, so it was not moved and nothing was overwritten (ask for \"replace\": true to overwrite the target's copy)",
            ValkeyErrorException io when io.Says("IOERR") =>
                $"slot {slot}: MIGRATE of {what} from {source.Endpoint} to {target.Endpoint} did not complete within {options.MigrateTimeout.TotalMilliseconds:0} ms " +
                $"(a key too big for Migrations:Keys:MigrateTimeout, or the target not answering): {ex.Message}",
            ValkeyUnreachableException => $"slot {slot}: {source.Endpoint} did not answer MIGRATE of {what} to {target.Endpoint}: {ex.Message}",
            _ => $"slot {slot}: MIGRATE of {what} from {source.Endpoint} to {target.Endpoint} failed: {ex.Message}",
        };
        return new KeyMoveException($"{message}; {OpenState(slot, source, target)}", ex) { Slot = slot };
    }

    /// <summary>
    /// Gives <paramref name="slot"/> to <paramref name="owner"/>: <c>SETSLOT NODE</c> on the owner first (it clears its
    /// importing state and bumps its epoch), then on <paramref name="former"/> (clears migrating), then on the other
    /// primaries at once (they would learn it by gossip too; telling them saves clients a round of redirections).
    /// </summary>
    public async Task AssignAsync(int slot, NodeAddress owner, NodeAddress? former, IEnumerable<NodeAddress> others)
    {
        await Send(owner, () => valkey.ClusterSetSlotAsync(owner.Endpoint, slot, SetSlotAction.Node, owner.Id), slot, "SETSLOT NODE");
        if (former is not null)
        {
            await Send(former, () => valkey.ClusterSetSlotAsync(former.Endpoint, slot, SetSlotAction.Node, owner.Id), slot, "SETSLOT NODE");
        }

        await Task.WhenAll(others.Select(n => Send(n, () => valkey.ClusterSetSlotAsync(n.Endpoint, slot, SetSlotAction.Node, owner.Id), slot, "SETSLOT NODE")));
    }

    /// <summary>A key's name for a message (binary keys shown as UTF-8, long ones clipped).</summary>
    public static string Show(byte[] key)
    {
        var text = Encoding.UTF8.GetString(key);
        return text.Length > 100 ? text[..100] + "…" : text;
    }

    private static string OpenState(int slot, NodeAddress source, NodeAddress target) =>
        $"slot {slot} is left open (migrating on {source.Endpoint}, importing on {target.Endpoint}) with each key on one of the two; finish or roll it back with the open-slot repair";

    private static async Task Send(NodeAddress node, Func<Task> command, int slot, string what)
    {
        try
        {
            await command();
        }
        catch (ValkeyException ex)
        {
            throw new KeyMoveException($"slot {slot}: {what} on {node.Endpoint} failed: {ex.Message}", ex) { Slot = slot };
        }
    }
}
