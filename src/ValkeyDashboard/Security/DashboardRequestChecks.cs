using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Api;
using ValkeyDashboard.Authentication;

namespace ValkeyDashboard.Security;

/// <summary>
/// Checks every request before anything else reads it, so that no other web page can act for the operator:
/// <list type="bullet">
/// <item>with sign-in off (<see cref="DashboardAuthMode.None"/>): a loopback Host name with the bound port (no DNS
/// rebinding), loopback addresses at both ends, and no proxy headers (<see cref="LoopbackOnly"/>);</item>
/// <item>always: no request from another origin or site, apart from a top-level navigation or a valid API token
/// (<see cref="SameOrigin"/>);</item>
/// <item>the API and the hub: bodies of at most <see cref="JsonBody.MaxBytes"/>, JSON only, and a change without a body
/// carries a header no form or simple request can send (<see cref="ApiRequestShape"/>).</item>
/// </list>
/// Every answer carries the headers a dashboard should send (<see cref="SecurityHeaders"/>).
/// </summary>
internal sealed class DashboardRequestChecks(RequestDelegate next, IOptions<DashboardAuthOptions> auth)
{
    /// <summary>The header a script sends with a change that has no body (any value), e.g. <c>X-Requested-With: curl</c>.</summary>
    public const string CustomHeader = "X-Requested-With";

    public async Task InvokeAsync(HttpContext context)
    {
        SecurityHeaders.AddTo(context.Response);
        var options = auth.Value;
        var refusal = (options.Mode == DashboardAuthMode.None ? LoopbackOnly(context) : null)
            ?? SameOrigin(context.Request, options)
            ?? ApiRequestShape(context, options);
        if (refusal is { } refused)
        {
            await DashboardProblems.WriteAsync(context, refused.Status, refused.Title, refused.Detail);
            return;
        }

        await next(context);
    }

    /// <summary>Why a request is refused: its status, title and the reason.</summary>
    internal readonly record struct Refusal(int Status, string Title, string Detail);

    /// <summary>
    /// Sign-in off: everyone who reaches the dashboard is an operator, so only this machine may reach it, on every
    /// request (not only at start-up): a loopback Host name (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>) with the
    /// port the request arrived on, loopback addresses at both ends, and no <c>Forwarded</c>/<c>X-Forwarded-*</c>
    /// header (a proxy in front would make every remote client look local). A request made in-process (the tests'
    /// server) has no addresses and passes that part.
    /// </summary>
    internal static Refusal? LoopbackOnly(HttpContext context)
    {
        var request = context.Request;
        var connection = context.Connection;
        foreach (var header in request.Headers.Keys)
        {
            if (header.Equals("Forwarded", StringComparison.OrdinalIgnoreCase) || header.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
            {
                return Forbidden($"sign-in is off (Dashboard:Auth:Mode None), so the dashboard answers this machine only, not through a proxy ({header})");
            }
        }

        foreach (var (end, address) in new[] { ("remote", connection.RemoteIpAddress), ("local", connection.LocalIpAddress) })
        {
            if (address is not null && !IsLoopback(address))
            {
                return Forbidden($"sign-in is off (Dashboard:Auth:Mode None), so the dashboard answers this machine only; the {end} address is {address}");
            }
        }

        var host = request.Host;
        var name = host.Host;
        if (!host.HasValue || !(name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name == "127.0.0.1" || name == "[::1]"))
        {
            return new Refusal(StatusCodes.Status400BadRequest, "Bad host",
                $"sign-in is off (Dashboard:Auth:Mode None), so the dashboard answers only to localhost, 127.0.0.1 or [::1], not to \"{ApiQuery.Clip(host.Value)}\"");
        }

        var port = host.Port ?? (request.IsHttps ? 443 : 80);
        if (connection.LocalPort > 0 && port != connection.LocalPort)
        {
            return new Refusal(StatusCodes.Status400BadRequest, "Bad host",
                $"the Host header names port {port}, but the dashboard listens on {connection.LocalPort}");
        }

        return null;
    }

    /// <summary>
    /// Refuses what another origin's page sends: an <c>Origin</c> that is not the dashboard's own (scheme, host and port
    /// of the request), or <c>Sec-Fetch-Site: cross-site|same-site</c> (a page on another port of this host is "same
    /// site" but another origin, and SameSite cookies ride along with it). This covers WebSocket upgrades (of
    /// <c>/_blazor</c> and the hub), forms, <c>fetch</c> with or without credentials and frames. Let through: a top-level
    /// navigation (a followed link only shows a page; the page's own connection is then checked), and a request with a
    /// valid API token (it acts for the token's holder, whoever sent it). Requests without these headers (scripts,
    /// curl) are not from a browser page.
    /// </summary>
    internal static Refusal? SameOrigin(HttpRequest request, DashboardAuthOptions auth)
    {
        var origin = request.Headers.Origin.ToString();
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        var foreignOrigin = origin.Length > 0 && !origin.Equals($"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
        var foreignSite = site is "cross-site" or "same-site";
        if (!foreignOrigin && !foreignSite)
        {
            return null;
        }

        if (!foreignOrigin && IsTopLevelNavigation(request))
        {
            return null;
        }

        if (auth.FindToken(ApiTokenAuthenticationHandler.PresentedToken(request)) is not null)
        {
            return null;
        }

        return Forbidden(foreignOrigin
            ? $"the request comes from another origin ({ApiQuery.Clip(origin)}); only the dashboard's own pages may send it"
            : $"the request comes from another site (Sec-Fetch-Site: {site}); only the dashboard's own pages may send it");
    }

    /// <summary>
    /// The API and the hub: bodies of at most <see cref="JsonBody.MaxBytes"/> on every request (413; the endpoints
    /// that read none included), JSON only on the API (415), and a change without a body (POST, PUT, PATCH, DELETE)
    /// carries a bearer token or <see cref="CustomHeader"/>: headers a page on another origin cannot send without a CORS
    /// preflight, which the dashboard never grants. With sign-in on the API and the hub take bearer tokens only, so the
    /// header rule matters with sign-in off.
    /// </summary>
    internal static Refusal? ApiRequestShape(HttpContext context, DashboardAuthOptions auth)
    {
        var request = context.Request;
        var isApi = request.Path.StartsWithSegments("/api");
        if (!isApi && !request.Path.StartsWithSegments("/hubs"))
        {
            return null;
        }

        if (isApi)
        {
            if (request.ContentLength > JsonBody.MaxBytes)
            {
                return new Refusal(StatusCodes.Status413PayloadTooLarge, "Request body too large",
                    $"the body is {request.ContentLength:N0} bytes; it must be at most {JsonBody.MaxBytes:N0} bytes");
            }

            // Also for bodies sent without a length (chunked): reading stops at the limit, wherever they are read.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = JsonBody.MaxBytes;
            }
        }

        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return null;
        }

        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (hasBody)
        {
            return isApi && !request.HasJsonContentType()
                ? new Refusal(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                    $"the body must be JSON (Content-Type: application/json), not {(string.IsNullOrEmpty(request.ContentType) ? "none" : ApiQuery.Clip(request.ContentType))}")
                : null;
        }

        if (auth.Mode == DashboardAuthMode.None && request.Headers.Authorization.Count == 0 && request.Headers[CustomHeader].Count == 0)
        {
            return Forbidden($"a {request.Method} without a body must carry Authorization: Bearer <token> or {CustomHeader} (any value), " +
                $"e.g. curl -X {request.Method} -H '{CustomHeader}: curl' …");
        }

        return null;
    }

    private static bool IsTopLevelNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers["Sec-Fetch-Mode"] == "navigate"
        && request.Headers["Sec-Fetch-Dest"] == "document";

    private static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static Refusal Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden", detail);
}

/// <summary>The headers every answer carries: no framing, no sniffing, no referrer to other sites (a sign-in link is a secret), no opener.</summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// No other page may frame the dashboard (<c>frame-ancestors 'none'</c>, and <c>X-Frame-Options</c> for older
    /// browsers), load its answers as resources (<c>Cross-Origin-Resource-Policy</c>), keep a handle on its window
    /// (<c>Cross-Origin-Opener-Policy</c>) or learn its URLs (<c>Referrer-Policy</c>: sent to the dashboard itself only); forms post to the dashboard only.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Values =
    [
        new("Content-Security-Policy", "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"),
        new("X-Frame-Options", "DENY"),
        new("X-Content-Type-Options", "nosniff"),
        // Not no-referrer: with it Chromium sends "Origin: null" on the page's own form posts (Sign out), which the origin check refuses.
        new("Referrer-Policy", "same-origin"),
        new("Cross-Origin-Opener-Policy", "same-origin"),
        new("Cross-Origin-Resource-Policy", "same-origin"),
    ];

    public static void AddTo(HttpResponse response) => response.OnStarting(() =>
    {
        foreach (var (name, value) in Values)
        {
            response.Headers.TryAdd(name, value);
        }

        return Task.CompletedTask;
    });
}

internal static class DashboardRequestChecksExtensions
{
    /// <summary>Every request is checked by <see cref="DashboardRequestChecks"/> before authentication reads it.</summary>
    public static IApplicationBuilder UseDashboardRequestChecks(this IApplicationBuilder app) => app.UseMiddleware<DashboardRequestChecks>();
}
