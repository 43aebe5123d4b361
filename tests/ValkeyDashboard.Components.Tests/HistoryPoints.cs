using System.Collections.Immutable;
using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Components.Tests;

/// <summary>History points of the three primaries of <see cref="TestSnapshots"/>.</summary>
internal static class HistoryPoints
{
    public static ImmutableArray<SlotHistoryOwner> Owners { get; } =
        [.. TestSnapshots.PrimaryIds.Select((id, i) => new SlotHistoryOwner(id, $"127.0.0.1:{7000 + i}"))];

    /// <summary>
    /// A point at <paramref name="at"/>: slots 0-5460 owned by the first primary unless <paramref name="slot0Owner"/> says
    /// otherwise for slot 0, keys 10 per slot, and <paramref name="cpu"/> (slot, µs/s) on a scale of 1,024.
    /// </summary>
    public static SlotHistoryPoint At(DateTimeOffset at, int slot0Owner = 0, params (int Slot, double Value)[] cpu)
    {
        var owners = new byte[SlotRange.SlotCount];
        for (var slot = 0; slot < owners.Length; slot++)
        {
            owners[slot] = (byte)(slot <= 5460 ? 0 : slot <= 10921 ? 1 : 2);
        }

        owners[0] = (byte)slot0Owner;
        var keys = new byte[SlotRange.SlotCount];
        Array.Fill(keys, Model.HeatMap.SlotHeatQuantizer.Quantize(10, 16));
        var load = new byte[SlotRange.SlotCount];
        foreach (var (slot, value) in cpu)
        {
            load[slot] = Model.HeatMap.SlotHeatQuantizer.Quantize(value, 1_024);
        }

        return new SlotHistoryPoint(at, Owners, [owners, keys, load, new byte[SlotRange.SlotCount], new byte[SlotRange.SlotCount]], [0, 16, 1_024, 1, 1]);
    }
}
