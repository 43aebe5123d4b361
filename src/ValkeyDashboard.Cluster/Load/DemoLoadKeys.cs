using System.Globalization;

namespace ValkeyDashboard.Cluster.Load;

/// <summary>
/// Which key each operation of a demo load touches (pure, given a hash-slot function): every key starts with
/// <see cref="Prefix"/>. Uniform: <c>demo:&lt;n&gt;</c> over all keys. Hot slots: the same keys, but
/// <see cref="HotShare"/> of the operations go to the keys of the <see cref="HotSlotCount"/> slots of keys 0, 1, 2, ….
/// Hash tags: <c>demo:{t&lt;n mod 16&gt;}:&lt;n&gt;</c>, so every key sits in one of 16 slots.
/// </summary>
public sealed class DemoLoadKeys
{
    public const string Prefix = "demo:";

    /// <summary>Slots that take most of the traffic in the hot-slots skew.</summary>
    public const int HotSlotCount = 8;

    /// <summary>Share of the operations on the hot slots' keys in the hot-slots skew.</summary>
    public const double HotShare = 0.9;

    /// <summary>Hash tags (so at most this many slots) of the hash-tags skew.</summary>
    public const int TagCount = 16;

    private readonly DemoLoadParameters _parameters;
    private readonly int[] _hotKeys;

    public DemoLoadKeys(DemoLoadParameters parameters, Func<string, int> hashSlot)
    {
        _parameters = parameters;
        _hotKeys = parameters.Skew == DemoLoadSkew.HotSlots ? HotKeys(parameters.Keys, hashSlot) : [];
    }

    /// <summary>The slots that take most of the traffic (hot-slots skew; empty otherwise).</summary>
    public IReadOnlySet<int> HotSlots { get; private set; } = new HashSet<int>();

    /// <summary>The key of key number <paramref name="n"/>.</summary>
    public string Key(int n) => _parameters.Skew == DemoLoadSkew.HashTags
        ? string.Create(CultureInfo.InvariantCulture, $"{Prefix}{{t{n % TagCount}}}:{n}")
        : string.Create(CultureInfo.InvariantCulture, $"{Prefix}{n}");

    /// <summary>The key number the next operation touches, drawn with <paramref name="random"/>.</summary>
    public int Next(Random random) =>
        _hotKeys.Length > 0 && random.NextDouble() < HotShare ? _hotKeys[random.Next(_hotKeys.Length)] : random.Next(_parameters.Keys);

    private int[] HotKeys(int keys, Func<string, int> hashSlot)
    {
        var hot = new HashSet<int>();
        for (var n = 0; n < keys && hot.Count < HotSlotCount; n++)
        {
            hot.Add(hashSlot(Key(n)));
        }

        HotSlots = hot;
        return [.. Enumerable.Range(0, keys).Where(n => hot.Contains(hashSlot(Key(n))))];
    }
}
