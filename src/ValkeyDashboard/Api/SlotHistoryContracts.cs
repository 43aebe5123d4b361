using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Model.HeatMap;
using ValkeyDashboard.Model.History;

namespace ValkeyDashboard.Api;

/// <summary>A primary of a history point: <c>index</c> is the value its slots have in the owner layer.</summary>
public sealed record HistoryOwnerResponse(int Index, string Id, string Endpoint);

/// <summary>One layer of a point: the quantised byte per slot (base64 of 16,384 bytes) and the figure byte 255 stands for.</summary>
public sealed record HistoryLayerResponse(double Scale, string Values);

/// <summary>A point of a range: its time, owners, and the asked metric's layer (null when the cluster did not report it).</summary>
public sealed record HistoryPointResponse(DateTimeOffset At, IReadOnlyList<HistoryOwnerResponse> Owners, HistoryLayerResponse? Layer);

/// <summary>
/// <c>GET /api/slots/history?from=&amp;to=&amp;metric=</c>: the points of the finest tier covering the range. A byte
/// <c>b</c> of a figure layer stands for <c>exp(b / 255 · ln(1 + scale)) − 1</c> (0 for 0); of the owner layer, the
/// owner's index (255 unassigned).
/// </summary>
public sealed record HistoryRangeResponse(string Metric, string Unit, DateTimeOffset From, DateTimeOffset To, int Tier, double IntervalSeconds, IReadOnlyList<HistoryPointResponse> Points)
{
    public static HistoryRangeResponse Of(HeatMapLayer metric, DateTimeOffset from, DateTimeOffset to, SlotHistoryRange range) =>
        new(SlotHistoryApi.NameOf(metric), HeatMapContract.Current.Layers[(int)metric].Unit, from, to, range.Tier, range.Interval.TotalSeconds,
            [.. range.Points.Select(p => new HistoryPointResponse(p.At, OwnersOf(p), LayerOf(p, metric)))]);

    internal static IReadOnlyList<HistoryOwnerResponse> OwnersOf(SlotHistoryPoint point) =>
        [.. point.Owners.Select((o, i) => new HistoryOwnerResponse(i, o.Id, o.Endpoint))];

    internal static HistoryLayerResponse? LayerOf(SlotHistoryPoint point, HeatMapLayer layer) =>
        point.Layers[(int)layer] is { } bytes ? new HistoryLayerResponse(point.Scales[(int)layer], Convert.ToBase64String(bytes)) : null;
}

/// <summary>
/// <c>GET /api/slots/history?at=</c>: the nearest stored point at or before the moment, with every layer (what a heat
/// map frame carries); a layer is null when the cluster did not report it.
/// </summary>
public sealed record HistoryMomentResponse(
    DateTimeOffset At, int Tier, double IntervalSeconds, IReadOnlyList<HistoryOwnerResponse> Owners,
    HistoryLayerResponse Owner, HistoryLayerResponse? Keys, HistoryLayerResponse? Cpu, HistoryLayerResponse? NetworkIn, HistoryLayerResponse? NetworkOut)
{
    public static HistoryMomentResponse Of(SlotHistoryMoment moment)
    {
        var p = moment.Point;
        return new(p.At, moment.Tier, moment.Interval.TotalSeconds, HistoryRangeResponse.OwnersOf(p), HistoryRangeResponse.LayerOf(p, HeatMapLayer.Owner)!,
            HistoryRangeResponse.LayerOf(p, HeatMapLayer.Keys), HistoryRangeResponse.LayerOf(p, HeatMapLayer.Cpu),
            HistoryRangeResponse.LayerOf(p, HeatMapLayer.NetworkIn), HistoryRangeResponse.LayerOf(p, HeatMapLayer.NetworkOut));
    }
}

/// <summary>A hot slot: <c>value</c> in the metric's unit averaged over the window, <c>share</c> of its owner's total (0-1), <c>trend</c> the change against the window before (0.5 = +50 %; null when unknown).</summary>
public sealed record HotSlotResponse(int Slot, double Value, string? OwnerId, string? OwnerEndpoint, double Share, double? Trend);

/// <summary><c>GET /api/slots/hot</c>: the top slots of a window.</summary>
public sealed record HotSlotsResponse(string Metric, string Unit, string Window, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HotSlotResponse> Slots)
{
    public static HotSlotsResponse Of(HotSlotList list, string window) =>
        new(SlotHistoryApi.NameOf(list.Metric), SlotHistoryApi.UnitOf(list.Metric), window, list.From, list.To,
            [.. list.Slots.Select(s => new HotSlotResponse(s.Slot, Math.Round(s.Value, 3), s.OwnerId, s.OwnerEndpoint, Math.Round(s.Share, 4), s.Trend is { } t ? Math.Round(t, 4) : null))]);
}
