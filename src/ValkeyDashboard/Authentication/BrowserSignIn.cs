using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;

namespace ValkeyDashboard.Authentication;

/// <summary>
/// The Aspire Dashboard's browser-token flow: a token made at each start, printed once on the console as a sign-in link
/// (never written to the log files); opening the link signs the browser in as an operator with an HttpOnly,
/// SameSite=Strict cookie. The same link with a configured API token (<see cref="DashboardAuthOptions.Tokens"/>)
/// instead signs the browser in as that token's name and role, which is how a viewer gets a browser session.
/// </summary>
public sealed class BrowserSignIn
{
    public const string Path = "/login";

    private readonly byte[] _tokenHash;

    public BrowserSignIn()
    {
        Token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(Token));
    }

    /// <summary>This run's sign-in token.</summary>
    public string Token { get; }

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(_tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

}

/// <summary>The sign-in endpoint.</summary>
public static class BrowserSignInEndpoint
{
    /// <summary>
    /// <c>GET /login?t=…</c>: this run's sign-in token signs the browser in as an operator ("browser"), a configured API
    /// token as that token's name and role; either goes to the dashboard. Anything else says how to sign in.
    /// </summary>
    public static IEndpointRouteBuilder MapBrowserSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(BrowserSignIn.Path, async (HttpContext context, BrowserSignIn signIn, IOptions<DashboardAuthOptions> auth, AuditLog audit, ILogger<BrowserSignIn> logger) =>
        {
            var options = auth.Value;
            if (options.Mode == DashboardAuthMode.None)
            {
                return Results.Redirect("/");
            }

            var presented = context.Request.Query["t"].ToString();
            var (name, role) = signIn.Matches(presented) ? ("browser", DashboardRoles.Operator)
                : options.FindToken(presented) is { } token ? (token.Name, token.Role)
                : (null, null);
            if (name is null || role is null)
            {
                logger.LogWarning("Refused a browser sign-in from {Remote}: the link's token is missing or wrong", context.Connection.RemoteIpAddress);
                await audit.RecordAsync("browser", AuditActions.SignIn, From(context), AuditOutcome.Refused, "the sign-in link's token is missing or wrong");
                return Results.Content(
                    """
                    <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Valkey Dashboard</title></head>
                    <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
                    <h1>Sign in to Valkey Dashboard</h1>
                    <p>Open the sign-in link the dashboard printed on its console when it started
                    (<code>Sign in: http://…/login?t=…</code>), or that link with an API token from <code>Dashboard:Auth:Tokens</code>
                    in place of the printed one to sign in with that token's name and role. Scripts send
                    <code>Authorization: Bearer &lt;token&gt;</code>.</p>
                    </body></html>
                    """, "text/html", Encoding.UTF8, StatusCodes.Status401Unauthorized);
            }

            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)],
                CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            logger.LogInformation("A browser signed in as {Name} ({Role}) from {Remote}", name, role, context.Connection.RemoteIpAddress);
            await audit.RecordAsync(name, AuditActions.SignIn, From(context), AuditOutcome.Accepted, role);
            return Results.Redirect("/");
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static string From(HttpContext context) => $"from {context.Connection.RemoteIpAddress?.ToString() ?? "this machine"}";
}
