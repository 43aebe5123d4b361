namespace ValkeyDashboard.Model.HeatMap;

/// <summary>
/// A per-slot layer of the heat map, one byte per slot. The values are wire values: frames name layers by number, and
/// <c>wwwroot/js/slot-heatmap.js</c> learns the numbers with their names from <see cref="HeatMapContract"/>.
/// </summary>
public enum HeatMapLayer : byte
{
    /// <summary>The owning primary's index in <see cref="SlotHeatLayers.Owners"/>; <see cref="HeatMapWire.Unassigned"/> where no primary owns the slot.</summary>
    Owner = 0,

    /// <summary>Keys in the slot.</summary>
    Keys = 1,

    /// <summary>CPU spent on the slot's commands, microseconds per second.</summary>
    Cpu = 2,

    /// <summary>Bytes received for the slot's commands, per second.</summary>
    NetworkIn = 3,

    /// <summary>Bytes sent for the slot's commands, per second.</summary>
    NetworkOut = 4,
}
