using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Components.Pages;

namespace ValkeyDashboard.Authentication;

/// <summary>
/// The Aspire Dashboard's browser-token flow, with links that can be used once: a sign-in link is printed on the
/// console (never in the log files) at start and on demand (<see cref="DashboardAuthStartup"/>); opening it signs the
/// browser in as an operator with an HttpOnly, SameSite=Strict cookie, once, within
/// <see cref="DashboardAuthOptions.SignInLinkLifetime"/>. A newer link replaces the one before. The same link with a
/// configured API token (<see cref="DashboardAuthOptions.Tokens"/>) instead signs the browser in as that token's name
/// and role (as often as it is used: it is the token's holder who signs in), which is how a viewer gets a browser session.
/// </summary>
public sealed class BrowserSignIn(TimeProvider time, IOptions<DashboardAuthOptions> auth)
{
    public const string Path = "/login";

    private readonly Lock _gate = new();
    private Link? _link;

    /// <summary>The current link's token (a new link is made when there is none yet).</summary>
    public string Token
    {
        get
        {
            lock (_gate)
            {
                return (_link ??= NewLink()).Token;
            }
        }
    }

    /// <summary>When the current link stops working.</summary>
    public DateTimeOffset ExpiresAt
    {
        get
        {
            lock (_gate)
            {
                return (_link ??= NewLink()).ExpiresAt;
            }
        }
    }

    /// <summary>Makes a new link (the one before stops working) and returns its token.</summary>
    public string Issue()
    {
        lock (_gate)
        {
            _link = NewLink();
            return _link.Token;
        }
    }

    /// <summary>Uses the link: accepted once, within its lifetime; the answer says why not otherwise.</summary>
    public SignInLinkUse Use(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return SignInLinkUse.Wrong;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        lock (_gate)
        {
            if (_link is not { } link || !CryptographicOperations.FixedTimeEquals(link.Hash, hash))
            {
                return SignInLinkUse.Wrong;
            }

            if (link.Used)
            {
                return SignInLinkUse.Used;
            }

            if (time.GetUtcNow() >= link.ExpiresAt)
            {
                return SignInLinkUse.Expired;
            }

            link.Used = true;
            return SignInLinkUse.Accepted;
        }
    }

    private Link NewLink()
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new Link(token, SHA256.HashData(Encoding.UTF8.GetBytes(token)), time.GetUtcNow() + auth.Value.SignInLinkLifetime);
    }

    private sealed class Link(string token, byte[] hash, DateTimeOffset expiresAt)
    {
        public string Token { get; } = token;

        public byte[] Hash { get; } = hash;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public bool Used { get; set; }
    }
}

/// <summary>What came of opening a printed sign-in link.</summary>
public enum SignInLinkUse
{
    Accepted = 0,

    /// <summary>Not this run's current link (or none at all).</summary>
    Wrong = 1,

    /// <summary>The link was used already.</summary>
    Used = 2,

    /// <summary>The link is older than <see cref="DashboardAuthOptions.SignInLinkLifetime"/>.</summary>
    Expired = 3,
}

/// <summary>The sign-in and sign-out endpoints.</summary>
public static class BrowserSignInEndpoint
{
    /// <summary>The rate-limiting policy of <c>/login</c> with a token (see <see cref="RateLimitExtensions"/>).</summary>
    public const string RateLimit = "sign-in";

    /// <summary>Where the page's <b>Sign out</b> posts (a form with an antiforgery token).</summary>
    public const string SignOutPath = "/logout";

    /// <summary>
    /// <c>GET /login?t=…</c>: this run's printed link signs the browser in as an operator ("browser"), once; a configured
    /// API token as that token's name and role; either goes to the dashboard. Without a token the page says how to sign
    /// in, and nothing is logged or audited (a first visit is not a refused sign-in). A wrong, used or expired token is
    /// counted per client (<see cref="SignInRefusals"/>) behind the sign-in rate limit.
    /// <c>POST /logout</c> signs the browser out.
    /// </summary>
    public static IEndpointRouteBuilder MapBrowserSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(BrowserSignIn.Path, async (HttpContext context, BrowserSignIn signIn, BrowserSessions sessions, IOptions<DashboardAuthOptions> auth,
            AuditLog audit, SignInRefusals refusals, Clusters.DashboardClusters clusters, ILogger<BrowserSignIn> logger) =>
        {
            var options = auth.Value;
            if (options.Mode == DashboardAuthMode.None)
            {
                return Results.Redirect("/");
            }

            var presented = context.Request.Query["t"].ToString();
            if (presented.Length == 0)
            {
                return Page(options, context.Request.Query.ContainsKey("signed-out") ? "You are signed out." : null);
            }

            var use = signIn.Use(presented);
            var token = use == SignInLinkUse.Accepted ? null : options.FindToken(presented);
            var (name, role) = use == SignInLinkUse.Accepted ? ("browser", DashboardRoles.Operator)
                : token is not null ? (token.Name, token.Role)
                : (null, null);
            if (name is null || role is null)
            {
                var reason = use switch
                    {
                        SignInLinkUse.Used => "this sign-in link was used already; each printed link works once",
                        SignInLinkUse.Expired => "this sign-in link has expired",
                        _ => "the sign-in link's token is missing or wrong",
                    };
                await refusals.RefusedAsync(context.Connection.RemoteIpAddress?.ToString() ?? "this machine", reason);
                return Page(options, $"That did not sign you in: {reason}.");
            }

            // A token limited to some clusters keeps its limit in the browser (each cluster's page checks it), and
            // lands on the first cluster it may use when that is not the default one.
            List<string> limit = token?.Clusters ?? [];
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), sessions.Claim, .. limit.Select(c => new Claim(Clusters.ClusterRouting.ClusterClaim, c))],
                CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            logger.LogInformation("A browser signed in as {Name} ({Role}) from {Remote}", name, role, context.Connection.RemoteIpAddress);
            await audit.RecordAsync(name, AuditActions.SignIn, From(context), AuditOutcome.Accepted, role);
            return Results.Redirect(limit.Count == 0 || limit.Contains(clusters.Default.Name, StringComparer.Ordinal) ? "/" : $"/clusters/{limit[0]}");
        }).AllowAnonymous().RequireRateLimiting(RateLimit).ExcludeFromDescription();

        app.MapPost(SignOutPath, async (HttpContext context, IAntiforgery antiforgery, AuditLog audit, ILogger<BrowserSignIn> logger) =>
        {
            // The form carries an antiforgery token: no other page can sign the operator out.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Problem(detail: "sign out from the dashboard's own page (the form's antiforgery token is missing or wrong)",
                    statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }

            var name = context.User.Identity?.Name ?? "browser";
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            logger.LogInformation("{Name} signed out from {Remote}", name, context.Connection.RemoteIpAddress);
            await audit.RecordAsync(name, AuditActions.SignOut, From(context), AuditOutcome.Accepted, null);
            return Results.Redirect($"{BrowserSignIn.Path}?signed-out");
        }).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static RazorComponentResult<SignIn> Page(DashboardAuthOptions options, string? message) =>
        new(new Dictionary<string, object?>
        {
            [nameof(SignIn.Message)] = message,
            [nameof(SignIn.LinkLifetime)] = Describe(options.SignInLinkLifetime),
        })
        {
            StatusCode = StatusCodes.Status401Unauthorized,
        };

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes)
            ? $"{span.TotalMinutes:0} minute{(span.TotalMinutes == 1 ? string.Empty : "s")}"
            : $"{span.TotalSeconds:0} seconds";

    private static string From(HttpContext context) => $"from {context.Connection.RemoteIpAddress?.ToString() ?? "this machine"}";
}
