using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Api;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Security;

namespace ValkeyDashboard;

internal static class RateLimitExtensions
{
    /// <summary>
    /// A fixed window per client (its signed-in identity, else its address) on <see cref="MigrationsApi.MutationsRateLimit"/>:
    /// a script in a loop cannot flood the cluster with migrations; and one per address on sign-in attempts
    /// (<see cref="BrowserSignInEndpoint.RateLimit"/>). Refusals are 429 ProblemDetails with Retry-After.
    /// </summary>
    public static IServiceCollection AddMutationRateLimit(this IServiceCollection services)
    {
        var window = TimeSpan.FromMinutes(1);
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<DashboardOptions>>((options, dashboard) =>
        {
            var perMinute = dashboard.Value.RateLimit.MutationsPerMinute;
            options.AddPolicy(MigrationsApi.MutationsRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                ClientIdentity.Of(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = window, QueueLimit = 0 }));
            // Sign-in attempts per address, before the token is checked or anything is logged or audited; opening the page
            // without a token costs nothing and is not counted.
            var signInsPerMinute = dashboard.Value.RateLimit.SignInAttemptsPerMinute;
            options.AddPolicy(BrowserSignInEndpoint.RateLimit, context => context.Request.Query["t"].ToString().Length == 0
                ? RateLimitPartition.GetNoLimiter("page")
                : RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "local",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = signInsPerMinute, Window = SignInRefusals.Window, QueueLimit = 0 }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
                var detail = http.Request.Path.StartsWithSegments(BrowserSignIn.Path)
                    ? $"at most {signInsPerMinute} sign-in attempts a minute from one address (Dashboard:RateLimit:SignInAttemptsPerMinute); " +
                        $"try again in {Math.Ceiling(retryAfter.TotalSeconds)} s"
                    : $"at most {perMinute} requests a minute may start, check or cancel migrations (Dashboard:RateLimit:MutationsPerMinute); " +
                        $"try again in {Math.Ceiling(retryAfter.TotalSeconds)} s";
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
                        Detail = detail,
                    },
                });
            };
        });
        return services;
    }
}
