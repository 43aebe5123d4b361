using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Model.HeatMap;
using ValkeyDashboard.Model.History;

namespace ValkeyDashboard.Api;

/// <summary>The slot history (what the heat map showed at a past moment) and the hot slots, for the viewer role.</summary>
public static class SlotHistoryApi
{
    /// <summary>Windows the page offers; the API takes any <c>Ns</c>, <c>Nm</c>, <c>Nh</c>, <c>Nd</c> up to a day, or <c>latest</c>.</summary>
    public static readonly IReadOnlyList<string> PageWindows = ["latest", "1m", "10m", "1h"];

    private const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapSlotHistoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/slots").WithTags("Slot history");

        api.MapGet("/history", GetHistoryAsync)
            .WithName("GetSlotHistory")
            .WithSummary("Per-slot figures in the past: a range of points for one metric (?from=&to=&metric=), or one moment with every layer (?at=)")
            .WithDescription("Times are ISO 8601 (UTC unless an offset is given). A range answers the points of the finest tier that still holds 'from' " +
                "(by default a point every 10 s for the last hour, every minute for the last day, every 10 minutes for the last week) with at most 1,000 " +
                "points, else the next coarser tier. metric is owner, keys, cpu, networkIn or networkOut; each point carries its owners and the metric's " +
                "16,384 quantised bytes as base64 with the scale (byte b stands for exp(b/255·ln(1+scale))−1; in the owner layer the owner's index, 255 " +
                "unassigned). ?at= answers the nearest stored point at or before that moment with all layers, or 404 when none is.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/hot", GetHotAsync)
            .WithName("GetHotSlots")
            .WithSummary("The hottest slots by CPU, network or keys over a window, with owner, share of the owner's load and trend")
            .WithDescription("metric: cpu (default), network (in + out), networkIn, networkOut, keys. window: latest (the last poll's figures) or a " +
                "duration such as 1m, 10m, 1h (default), up to 1d, averaged from the slot history and compared with the window before (trend: 0.5 = " +
                "+50 %). limit: 1-100 (default 10).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    public static async Task<Results<Ok<HistoryRangeResponse>, Ok<HistoryMomentResponse>, ProblemHttpResult>> GetHistoryAsync(
        string? from, string? to, string? metric, string? at, SlotHistory history, TimeProvider time, CancellationToken cancellationToken)
    {
        if (at is not null)
        {
            if (from is not null || to is not null || metric is not null)
            {
                return Invalid("give either at, or from (with to and metric), not both");
            }

            if (!TryParseTime(at, out var moment))
            {
                return Invalid($"at must be a time in ISO 8601, e.g. 2026-11-30T12:00:00Z, got \"{ApiQuery.Clip(at)}\"");
            }

            return await history.AtAsync(moment, cancellationToken) is { } found
                ? TypedResults.Ok(HistoryMomentResponse.Of(found))
                : TypedResults.Problem(detail: $"no slot history is stored at or before {moment:O}", statusCode: StatusCodes.Status404NotFound, title: "Slot history not found");
        }

        if (from is null)
        {
            return Invalid("give from (and optionally to, default now) with metric, or at");
        }

        if (!TryParseTime(from, out var start))
        {
            return Invalid($"from must be a time in ISO 8601, e.g. 2026-11-30T12:00:00Z, got \"{ApiQuery.Clip(from)}\"");
        }

        var end = time.GetUtcNow();
        if (to is not null && !TryParseTime(to, out end))
        {
            return Invalid($"to must be a time in ISO 8601, e.g. 2026-11-30T12:05:00Z, got \"{ApiQuery.Clip(to)}\"");
        }

        if (start > end)
        {
            return Invalid($"from ({start:O}) is after to ({end:O})");
        }

        if (!TryParseLayer(metric, out var layer))
        {
            return Invalid($"metric must be one of owner, keys, cpu, networkIn, networkOut, got \"{ApiQuery.Clip(metric)}\"");
        }

        var range = await history.RangeAsync(start, end, cancellationToken);
        return TypedResults.Ok(HistoryRangeResponse.Of(layer, start, end, range));
    }

    public static async Task<Results<Ok<HotSlotsResponse>, ProblemHttpResult>> GetHotAsync(
        string? metric, string? window, string? limit, SlotHistory history, CancellationToken cancellationToken)
    {
        if (!TryParseHotMetric(metric ?? "cpu", out var hotMetric))
        {
            return Invalid($"metric must be one of cpu, network, networkIn, networkOut, keys, got \"{ApiQuery.Clip(metric)}\"");
        }

        window ??= "1h";
        if (!TryParseWindow(window, out var length))
        {
            return Invalid($"window must be latest or a duration of 1s to 1d such as 1m, 10m, 1h, got \"{ApiQuery.Clip(window)}\"");
        }

        var count = 10;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > MaxLimit))
        {
            return Invalid($"limit must be a whole number from 1 to {MaxLimit}, got \"{ApiQuery.Clip(limit)}\"");
        }

        return TypedResults.Ok(HotSlotsResponse.Of(await history.HotAsync(hotMetric, length, count, cancellationToken), window));
    }

    /// <summary>The API's name of a heat map layer.</summary>
    public static string NameOf(HeatMapLayer layer) => layer switch
    {
        HeatMapLayer.NetworkIn => "networkIn",
        HeatMapLayer.NetworkOut => "networkOut",
        _ => layer.ToString().ToLowerInvariant(),
    };

    public static string NameOf(HotSlotMetric metric) => metric switch
    {
        HotSlotMetric.NetworkIn => "networkIn",
        HotSlotMetric.NetworkOut => "networkOut",
        _ => metric.ToString().ToLowerInvariant(),
    };

    public static string UnitOf(HotSlotMetric metric) => metric switch
    {
        HotSlotMetric.Cpu => "µs/s",
        HotSlotMetric.Keys => "keys",
        _ => "B/s",
    };

    public static bool TryParseLayer(string? text, out HeatMapLayer layer)
    {
        layer = Enum.GetValues<HeatMapLayer>().FirstOrDefault(l => string.Equals(NameOf(l), text, StringComparison.OrdinalIgnoreCase));
        return text is not null && string.Equals(NameOf(layer), text, StringComparison.OrdinalIgnoreCase);
    }

    public static bool TryParseHotMetric(string? text, out HotSlotMetric metric)
    {
        metric = Enum.GetValues<HotSlotMetric>().FirstOrDefault(m => string.Equals(NameOf(m), text, StringComparison.OrdinalIgnoreCase));
        return text is not null && string.Equals(NameOf(metric), text, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><c>latest</c> (null) or a whole number of s, m, h or d from 1 s to <see cref="SlotHistory.MaxWindow"/>.</summary>
    public static bool TryParseWindow(string text, out TimeSpan? window)
    {
        window = null;
        if (string.Equals(text, "latest", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 86_400)
        {
            return false;
        }

        window = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
        return window is { } w && w <= SlotHistory.MaxWindow;
    }

    private static bool TryParseTime(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid query");
}
