using System.Collections.Immutable;

namespace ValkeyDashboard.Cluster.History;

/// <summary>A primary as a history point names it: its index in the owner layer is its place in <see cref="SlotHistoryPoint.Owners"/>.</summary>
public sealed record SlotHistoryOwner(string Id, string Endpoint);

/// <summary>
/// The slots at one moment as the heat map shows them: per layer one byte per slot (layer 0 the owner index, 255
/// unassigned; layers 1-4 keys, CPU, network in, network out, quantised against their scale), or null where the
/// cluster did not report the layer. Layer numbers are the heat map's (<c>HeatMapLayer</c>).
/// </summary>
public sealed record SlotHistoryPoint(DateTimeOffset At, ImmutableArray<SlotHistoryOwner> Owners, ImmutableArray<byte[]?> Layers, ImmutableArray<double> Scales)
{
    /// <summary>Layers per point: owner, keys, CPU, network in, network out.</summary>
    public const int LayerCount = 5;

    /// <summary>The owner layer's number.</summary>
    public const int OwnerLayer = 0;

    /// <summary>The owner byte of a slot no primary owns.</summary>
    public const byte Unassigned = 255;

    /// <summary>The first of the load layers (CPU, network in, network out), which are rates that jump between points.</summary>
    public const int FirstLoadLayer = 2;

    /// <summary>
    /// This point with the load layers kept to <paramref name="bits"/> bits (of 8) per slot: the low bits are set to the
    /// middle of the step they stand for, 0 stays 0. The load of lightly used slots jumps at random from point to point,
    /// and its low bits are what costs most to store; at 7 bits a byte still reads back within about 4.4 % (two of the
    /// heat map's 2.2 % steps). Owners and keys stay exact.
    /// </summary>
    public SlotHistoryPoint WithLoadBits(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 8);
        if (bits == 8)
        {
            return this;
        }

        var dropped = 8 - bits;
        var mask = (byte)(0xFF << dropped);
        var middle = (byte)(1 << (dropped - 1));
        var layers = Layers.ToArray();
        for (var layer = FirstLoadLayer; layer < LayerCount; layer++)
        {
            if (layers[layer] is { } bytes)
            {
                layers[layer] = [.. bytes.Select(b => b == 0 ? (byte)0 : (byte)((b & mask) | middle))];
            }
        }

        return this with { Layers = [.. layers] };
    }
}
