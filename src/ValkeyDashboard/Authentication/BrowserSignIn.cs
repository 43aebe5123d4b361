using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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

/// <summary>
/// Once the server listens: refuses <see cref="DashboardAuthMode.None"/> on any address that is not loopback, and prints
/// the browser sign-in link.
/// </summary>
internal sealed class DashboardAuthStartup(
    IServer server,
    IOptions<DashboardAuthOptions> auth,
    BrowserSignIn signIn,
    ILogger<DashboardAuthStartup> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var options = auth.Value;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        if (options.Mode == DashboardAuthMode.None)
        {
            var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
            if (exposed.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Dashboard:Auth:Mode is None, but the dashboard listens on {string.Join(", ", exposed)}, which is not loopback: anyone who " +
                    "can reach it could move slots. Listen on 127.0.0.1 only (Urls) or remove Dashboard:Auth:Mode.");
            }

            logger.LogWarning("Sign-in is off (Dashboard:Auth:Mode None): everyone who can reach {Addresses} is an operator", string.Join(", ", addresses));
            return Task.CompletedTask;
        }

        var address = addresses.OrderBy(a => IsLoopback(a) ? 0 : 1).FirstOrDefault();
        if (address is not null)
        {
            // On the console only: the token must not end up in log files.
            Console.Out.WriteLine($"Sign in: {address.TrimEnd('/')}{BrowserSignIn.Path}?t={signIn.Token}");
            logger.LogInformation("Sign-in is on: the browser sign-in link was printed on the console (it is not written to the log files); {Tokens} API token(s) configured",
                options.Tokens.Count);
        }

        return Task.CompletedTask;
    }

    internal static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
