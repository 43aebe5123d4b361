using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Model.HeatMap;

/// <summary>A layer as the browser names it: its wire value, its name in the legend and tooltip, its unit.</summary>
public sealed record HeatMapLayerContract(int Value, string Name, string Unit);

/// <summary>The frame format's numbers (<see cref="HeatMapWire"/>) as the browser reads them.</summary>
public sealed record HeatMapFrameContract
{
    public int Version { get; } = HeatMapWire.Version;

    public int VersionOffset { get; } = HeatMapWire.VersionOffset;

    public int SectionCountOffset { get; } = HeatMapWire.SectionCountOffset;

    public int HeaderSize { get; } = HeatMapWire.HeaderSize;

    public int LayerOffset { get; } = HeatMapWire.LayerOffset;

    public int EncodingOffset { get; } = HeatMapWire.EncodingOffset;

    public int ScaleOffset { get; } = HeatMapWire.ScaleOffset;

    public int LengthOffset { get; } = HeatMapWire.LengthOffset;

    public int SectionHeaderSize { get; } = HeatMapWire.SectionHeaderSize;

    public int CountSize { get; } = HeatMapWire.CountSize;

    public int SlotSize { get; } = HeatMapWire.SlotSize;

    public int RunSize { get; } = HeatMapWire.RunSize;

    public int RunValueOffset { get; } = HeatMapWire.RunValueOffset;

    public int Full { get; } = (int)HeatMapSectionEncoding.Full;

    public int Changes { get; } = (int)HeatMapSectionEncoding.Changes;

    public int Runs { get; } = (int)HeatMapSectionEncoding.Runs;

    public int Unavailable { get; } = (int)HeatMapSectionEncoding.Unavailable;
}

/// <summary>
/// Everything <c>wwwroot/js/slot-heatmap.js</c> and the page must agree on, handed to the module's
/// <c>initialize</c>: the grid, the frame format, the owner value of an unassigned slot, the quantiser's top level,
/// the layers, the attributes by which node cards offer themselves as drop targets and their range chips as
/// drag handles (<see cref="Components.Controls.NodeCard"/> writes them with these names), and the attributes in which
/// the module tells tests and automation what the canvas shows (selection, moving and planned slots, metric). The
/// module keeps no copy.
/// </summary>
public sealed record HeatMapContract
{
    /// <summary>On a node card: the id of the primary that slots dropped on the card move to.</summary>
    public const string DropNodeAttributeName = "data-drop-node";

    /// <summary>On a range chip: the range ("a-b") that dragging the chip onto another card moves.</summary>
    public const string SlotRangeAttributeName = "data-slot-range";

    /// <summary>On the canvas: the committed selection, "a-b,c" (unassigned slots left out).</summary>
    public const string SelectionAttributeName = "data-selection";

    /// <summary>On the canvas: the slots of running migrations, striped, "a-b,c".</summary>
    public const string MovingAttributeName = "data-moving";

    /// <summary>
    /// On the canvas: the planned moves, hatched in their target's colour, as "slots&gt;target node id" per move
    /// separated by spaces, e.g. <c>0-99,200&gt;e1ef… 5461-5600&gt;a07c…</c>; empty when no plan is shown.
    /// </summary>
    public const string PlannedAttributeName = "data-planned";

    /// <summary>On the canvas: the view's layer by its lower-case name (<c>owner</c>, <c>keys</c>, …).</summary>
    public const string MetricAttributeName = "data-metric";

    /// <summary>
    /// On a node card, a node row or a legend entry: the id of the primary whose slots the map highlights (the others
    /// dimmed) while the pointer is over it.
    /// </summary>
    public const string OwnerAttributeName = "data-owner";

    /// <summary>On the canvas: the id of the primary highlighted now (the others dimmed), empty when none is.</summary>
    public const string HighlightAttributeName = "data-highlight";

    /// <summary>Cells per side of the square map (slot s at row s / Side, column s % Side).</summary>
    public const int GridSide = 128;

    private HeatMapContract()
    {
    }

    /// <summary>The contract of this build of the dashboard.</summary>
    public static HeatMapContract Current { get; } = new();

    public int Slots { get; } = SlotRange.SlotCount;

    public int Side { get; } = GridSide;

    public HeatMapFrameContract Frame { get; } = new();

    public int Unassigned { get; } = HeatMapWire.Unassigned;

    /// <summary>The byte that stands for a layer's scale (<see cref="SlotHeatQuantizer"/>).</summary>
    public int MaxLevel { get; } = SlotHeatQuantizer.MaxLevel;

    public int OwnerLayer { get; } = (int)HeatMapLayer.Owner;

    public ImmutableArray<HeatMapLayerContract> Layers { get; } =
    [
        .. Enum.GetValues<HeatMapLayer>().Select(layer => layer switch
        {
            HeatMapLayer.Owner => new HeatMapLayerContract((int)layer, "Owner", string.Empty),
            HeatMapLayer.Keys => new HeatMapLayerContract((int)layer, "Keys", "keys"),
            HeatMapLayer.Cpu => new HeatMapLayerContract((int)layer, "CPU", "µs/s"),
            HeatMapLayer.NetworkIn => new HeatMapLayerContract((int)layer, "Network in", "B/s"),
            HeatMapLayer.NetworkOut => new HeatMapLayerContract((int)layer, "Network out", "B/s"),
            _ => throw new InvalidOperationException($"heat map layer {layer} has no name"),
        }),
    ];

    public string DropNodeAttribute { get; } = DropNodeAttributeName;

    public string SlotRangeAttribute { get; } = SlotRangeAttributeName;

    public string SelectionAttribute { get; } = SelectionAttributeName;

    public string MovingAttribute { get; } = MovingAttributeName;

    public string PlannedAttribute { get; } = PlannedAttributeName;

    public string MetricAttribute { get; } = MetricAttributeName;

    public string OwnerAttribute { get; } = OwnerAttributeName;

    public string HighlightAttribute { get; } = HighlightAttributeName;
}
