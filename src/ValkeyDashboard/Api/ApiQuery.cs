using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Api;

/// <summary>The query parameters every list and every follow request of the API shares: paging, and waiting for the end.</summary>
public static class ApiQuery
{
    /// <summary>Largest page any list answers.</summary>
    public const int MaxPageSize = 200;

    /// <summary><c>page</c> (from 1) and <c>pageSize</c> (1-<see cref="MaxPageSize"/>, default <paramref name="defaultSize"/>), or the 400 problem that says which is wrong.</summary>
    public static ProblemHttpResult? TryPage(string? page, string? pageSize, int defaultSize, out int pageNumber, out int size)
    {
        size = 0;
        if (!TryParsePositive(page, 1, int.MaxValue, out pageNumber))
        {
            return Invalid($"page must be a whole number from 1, got \"{Clip(page)}\"");
        }

        return TryParsePositive(pageSize, defaultSize, MaxPageSize, out size)
            ? null
            : Invalid($"pageSize must be a whole number from 1 to {MaxPageSize}, got \"{Clip(pageSize)}\"");
    }

    /// <summary><c>wait</c> in seconds (1-<paramref name="max"/>; 0 when absent), or the 400 problem.</summary>
    public static ProblemHttpResult? TryWait(string? wait, int max, out int seconds) =>
        TryParsePositive(wait, 0, max, out seconds) ? null : Invalid($"wait must be a whole number of seconds from 1 to {max}, got \"{Clip(wait)}\"");

    /// <summary>
    /// The record once it has finished, or after <paramref name="seconds"/> as it then is (a running state is an
    /// answer too); at once when it has finished or no wait was asked. A wait holds one of the client's
    /// <see cref="OpenWaits"/> (refused as too many when it has none left).
    /// </summary>
    public static async Task<T> WaitUntilFinishedAsync<T>(T current, int seconds, HttpContext context, Func<TimeSpan, Task<T>> waitFinished, Func<T> latest)
        where T : IRecord
    {
        if (seconds <= 0 || current.IsFinished)
        {
            return current;
        }

        using var slot = context.RequestServices.GetRequiredService<OpenWaits>().Enter(context);
        try
        {
            return await waitFinished(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            return latest();
        }
    }

    /// <summary>At most 64 characters of what a client sent, for a message.</summary>
    public static string Clip(string? text) => Cluster.Text.ErrorText.Clip(text, 64);

    private static bool TryParsePositive(string? text, int fallback, int max, out int value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max;
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid query");
}
