using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ValkeyDashboard.Authentication;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> against <see cref="DashboardAuthOptions.Tokens"/> (and <c>?access_token=</c>
/// on the hub, where browsers' WebSockets cannot send headers). Tokens are compared in constant time and never logged.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<DashboardAuthOptions> auth) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedToken(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (auth.Value.FindToken(presented) is { } token)
        {
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, token.Name), new Claim(ClaimTypes.Role, token.Role), .. token.Clusters.Select(c => new Claim(Clusters.ClusterRouting.ClusterClaim, c))],
                SchemeName, ClaimTypes.Name, ClaimTypes.Role);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }

        return Task.FromResult(AuthenticateResult.Fail("the bearer token is not one of Dashboard:Auth:Tokens"));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        DashboardProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            PresentedToken(Request) is null
                ? "sign in first: send Authorization: Bearer <token> with a token from Dashboard:Auth:Tokens"
                : "the bearer token is not valid (it must be one of Dashboard:Auth:Tokens)");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => DashboardProblems.ForbiddenAsync(Context);

    /// <summary>The token a request presents, if any.</summary>
    public static string? PresentedToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return request.Path.StartsWithSegments("/hubs") && request.Query.TryGetValue("access_token", out var token) ? token.ToString() : null;
    }
}

/// <summary>Authentication when <see cref="DashboardAuthMode.None"/>: everyone is an operator, with no name of their own.</summary>
public sealed class NoSignInAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "None";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, DashboardRoles.Operator)], SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

/// <summary>The 401/403 answers of the API and the hub, as ProblemDetails.</summary>
public static class DashboardProblems
{
    public static Task ForbiddenAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
            $"{context.User.Identity?.Name ?? "this user"} is a {(context.User.IsInRole(DashboardRoles.Operator) ? DashboardRoles.Operator : DashboardRoles.Viewer)}; " +
            "only an operator may start or cancel migrations, manage nodes or read the audit log");

    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
