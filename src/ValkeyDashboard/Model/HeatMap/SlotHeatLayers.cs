using System.Collections.Immutable;
using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components;

namespace ValkeyDashboard.Model.HeatMap;

/// <summary>A primary as the heat map shows it: its index in the owner layer, endpoint and colour.</summary>
public sealed record HeatMapOwner(int Index, string Id, string Endpoint, string Color);

/// <summary>
/// One snapshot's heat map, quantised to a byte per slot per layer: owners, keys, and the CPU and network
/// rates between this snapshot and the one before. Built once per monitor poll and shared by every browser.
/// </summary>
public sealed class SlotHeatLayers
{
    public const int LayerCount = 5;

    /// <summary>The owner-layer value of a slot no primary owns (<see cref="HeatMapWire.Unassigned"/>).</summary>
    public const byte Unassigned = HeatMapWire.Unassigned;

    private readonly byte[]?[] _layers;
    private readonly double[] _scales;

    private SlotHeatLayers(long version, ImmutableArray<HeatMapOwner> owners, byte[]?[] layers, double[] scales, string? unavailableReason = null)
    {
        UnavailableReason = unavailableReason;
        Version = version;
        Owners = owners;
        _layers = layers;
        _scales = scales;
    }

    public static SlotHeatLayers Empty { get; } = new(0, [], new byte[]?[LayerCount], new double[LayerCount]);

    /// <summary>The snapshot's version.</summary>
    public long Version { get; }

    /// <summary>Primaries in owner-index order (the order of their colours).</summary>
    public ImmutableArray<HeatMapOwner> Owners { get; }

    /// <summary>
    /// Why the CPU and network layers are unavailable (sent as such in frames), in words for the legend, e.g. "CPU and
    /// network per slot need CLUSTER SLOT-STATS (Valkey 8+); this cluster runs Redis 7.0.15."; null when they are reported.
    /// </summary>
    public string? UnavailableReason { get; }

    /// <summary>A layer's bytes (16,384), or null when the cluster does not report it (slot statistics disabled).</summary>
    public ReadOnlySpan<byte> this[HeatMapLayer layer] => _layers[(int)layer];

    public bool Has(HeatMapLayer layer) => _layers[(int)layer] is not null;

    /// <summary>The value that byte 255 stands for (see <see cref="SlotHeatQuantizer"/>); 0 for the owner layer.</summary>
    public double ScaleOf(HeatMapLayer layer) => _scales[(int)layer];

    /// <summary>
    /// The layers a stored history point holds (owners in their stored order, coloured as the live map colours that
    /// order); <see cref="Version"/> is the point's time in Unix milliseconds, so a past moment never passes for a live one.
    /// </summary>
    public static SlotHeatLayers FromHistory(SlotHistoryPoint point) => new(
        point.At.ToUnixTimeMilliseconds(),
        [.. point.Owners.Select((o, i) => new HeatMapOwner(i, o.Id, o.Endpoint, DashboardTheme.OwnerColor(i)))],
        [.. point.Layers],
        [.. point.Scales]);

    /// <summary>These layers as a history point taken at <paramref name="at"/>.</summary>
    public SlotHistoryPoint ToHistoryPoint(DateTimeOffset at) =>
        new(at, [.. Owners.Select(o => new SlotHistoryOwner(o.Id, o.Endpoint))], [.. _layers], [.. _scales]);

    /// <summary>
    /// Builds the layers of <paramref name="snapshot"/>; rates are taken against <paramref name="previous"/>
    /// (none on the first snapshot). Scales are kept from <paramref name="previous"/> while they still fit, so a
    /// slightly busier second does not change every byte.
    /// </summary>
    public static SlotHeatLayers From(ClusterSnapshot snapshot, ClusterSnapshot? previous, SlotHeatLayers? previousLayers)
    {
        var colors = DashboardTheme.OwnerColorsOf(snapshot);
        var owners = snapshot.Primaries
            .OrderBy(p => p.Endpoint, StringComparer.Ordinal)
            .Select((p, i) => new HeatMapOwner(i, p.Id, p.Endpoint, colors[p.Id]))
            .ToImmutableArray();
        var indexOf = owners.ToDictionary(o => o.Id, o => (byte)Math.Min(o.Index, Unassigned - 1), StringComparer.Ordinal);

        var layers = new byte[]?[LayerCount];
        var scales = new double[LayerCount];
        var ownerLayer = new byte[SlotRange.SlotCount];
        for (var slot = 0; slot < ownerLayer.Length; slot++)
        {
            ownerLayer[slot] = snapshot.SlotOwners[slot] is { } owner && indexOf.TryGetValue(owner, out var index) ? index : Unassigned;
        }

        layers[(int)HeatMapLayer.Owner] = ownerLayer;
        var stats = snapshot.SlotStatistics;
        var keys = new double[SlotRange.SlotCount];
        for (var slot = 0; slot < keys.Length; slot++)
        {
            keys[slot] = stats.KeyCount[slot];
        }

        Quantize(HeatMapLayer.Keys, keys);
        var seconds = previous is null ? 0 : (snapshot.Timestamp - previous.Timestamp).TotalSeconds;
        Quantize(HeatMapLayer.Cpu, Rates(stats.CpuUsec, previous?.SlotStatistics.CpuUsec));
        Quantize(HeatMapLayer.NetworkIn, Rates(stats.NetworkBytesIn, previous?.SlotStatistics.NetworkBytesIn));
        Quantize(HeatMapLayer.NetworkOut, Rates(stats.NetworkBytesOut, previous?.SlotStatistics.NetworkBytesOut));
        return new SlotHeatLayers(snapshot.Version, owners, layers, scales, SlotLayerAvailability.Of(snapshot).LoadUnavailableReason);

        double[]? Rates(IReadOnlyList<long>? now, IReadOnlyList<long>? before)
        {
            if (now is null)
            {
                return null;
            }

            var rates = new double[SlotRange.SlotCount];
            if (before is null || seconds <= 0)
            {
                return rates;
            }

            for (var slot = 0; slot < rates.Length; slot++)
            {
                // Counters are per owner and restart at 0 on a new owner or CONFIG RESETSTAT: no rate across those.
                var delta = now[slot] - before[slot];
                rates[slot] = delta > 0 && snapshot.SlotOwners[slot] == previous!.SlotOwners[slot] ? delta / seconds : 0;
            }

            return rates;
        }

        void Quantize(HeatMapLayer layer, double[]? values)
        {
            if (values is null)
            {
                return;
            }

            var scale = SlotHeatQuantizer.ScaleFor(values.Max(), previousLayers?.Has(layer) == true ? previousLayers.ScaleOf(layer) : 0);
            var bytes = new byte[SlotRange.SlotCount];
            for (var slot = 0; slot < bytes.Length; slot++)
            {
                bytes[slot] = SlotHeatQuantizer.Quantize(values[slot], scale);
            }

            layers[(int)layer] = bytes;
            scales[(int)layer] = scale;
        }
    }
}
