using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Api;

namespace ValkeyDashboard;

internal static class RateLimitExtensions
{
    /// <summary>
    /// A fixed window per client (its address; later its signed-in identity) on <see cref="MigrationsApi.MutationsRateLimit"/>:
    /// a script in a loop cannot flood the cluster with migrations. Refusals are 429 ProblemDetails with Retry-After.
    /// </summary>
    public static IServiceCollection AddMutationRateLimit(this IServiceCollection services)
    {
        var window = TimeSpan.FromMinutes(1);
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<DashboardOptions>>((options, dashboard) =>
        {
            var perMinute = dashboard.Value.RateLimit.MutationsPerMinute;
            options.AddPolicy(MigrationsApi.MutationsRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.Identity?.Name ?? context.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = window, QueueLimit = 0 }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"at most {perMinute} requests a minute may start, check or cancel migrations (Dashboard:RateLimit:MutationsPerMinute); " +
                            $"try again in {Math.Ceiling(retryAfter.TotalSeconds)} s",
                    },
                });
            };
        });
        return services;
    }
}
