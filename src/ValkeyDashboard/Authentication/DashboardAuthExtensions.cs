using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace ValkeyDashboard.Authentication;

internal static class DashboardAuthExtensions
{
    private const string PolicySchemeName = "Dashboard";

    /// <summary>Cookies for browsers, bearer tokens for scripts, roles viewer and operator; everything but health, static files and OpenAPI needs a signed-in viewer.</summary>
    public static IServiceCollection AddDashboardAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardAuthOptions>()
            .Bind(configuration.GetSection(DashboardAuthOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardAuthOptions>, DashboardAuthOptionsValidator>();
        services.AddClusterList(configuration);
        services.AddSingleton<BrowserSignIn>();
        services.AddSingleton<BrowserSessions>();
        services.AddSingleton<SignInRefusals>();
        services.AddHostedService<DashboardAuthStartup>();

        services.AddAuthentication(PolicySchemeName)
            .AddPolicyScheme(PolicySchemeName, null, o => o.ForwardDefaultSelector = context =>
                context.RequestServices.GetRequiredService<IOptions<DashboardAuthOptions>>().Value.Mode == DashboardAuthMode.None ? NoSignInAuthenticationHandler.SchemeName
                : ApiTokenAuthenticationHandler.PresentedToken(context.Request) is not null ? ApiTokenAuthenticationHandler.SchemeName
                // The API and the hub take bearer tokens only: the page is Blazor Server and never calls them, and a cookie
                // rides along with requests from other pages of the same site (SameSite is per site, not per origin or port).
                : IsApi(context.Request) ? ApiTokenAuthenticationHandler.SchemeName
                : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = ".ValkeyDashboard.SignIn";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.LoginPath = BrowserSignIn.Path;
                // The API and the hub answer with ProblemDetails; pages go to the sign-in explanation.
                o.Events.OnRedirectToLogin = context => IsApi(context.Request)
                    ? DashboardProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                        "sign in first: send Authorization: Bearer <token> with a token from Dashboard:Auth:Tokens (or open the browser sign-in link)")
                    : RedirectAsync(context);
                o.Events.OnRedirectToAccessDenied = context => DashboardProblems.ForbiddenAsync(context.HttpContext);
                // A cookie of an earlier session epoch (an earlier start, unless sessions are kept) signs nobody in.
                o.Events.OnValidatePrincipal = async context =>
                {
                    if (!context.HttpContext.RequestServices.GetRequiredService<BrowserSessions>().IsCurrent(context.Principal))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, NoSignInAuthenticationHandler>(NoSignInAuthenticationHandler.SchemeName, null);
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<DashboardAuthOptions>>((cookie, auth) => cookie.ExpireTimeSpan = auth.Value.SessionIdleTimeout);

        var view = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser().RequireRole(DashboardRoles.Viewer, DashboardRoles.Operator).Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(DashboardRoles.ViewPolicy, view)
            .AddPolicy(DashboardRoles.OperatePolicy, p => p.RequireAuthenticatedUser().RequireRole(DashboardRoles.Operator))
            .SetFallbackPolicy(view);
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>Where scripts, not browsers, are the clients: the API, the hub and the metrics scrape (401/403 problems, never the sign-in page).</summary>
    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments(TelemetryExtensions.Path);

    private static Task RedirectAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(BrowserSignIn.Path);
        return Task.CompletedTask;
    }
}

/// <summary>Checks <c>Dashboard:Auth</c> at start-up: each token named once, long enough, with a known role and clusters that exist.</summary>
internal sealed class DashboardAuthOptionsValidator(IOptions<ValkeyClusterListOptions> clusters) : IValidateOptions<DashboardAuthOptions>
{
    private const int MinimumTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, DashboardAuthOptions options)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        if (options.SessionIdleTimeout <= TimeSpan.Zero)
        {
            failures.Add("Dashboard:Auth:SessionIdleTimeout must be positive");
        }

        if (options.SignInLinkLifetime <= TimeSpan.Zero)
        {
            failures.Add("Dashboard:Auth:SignInLinkLifetime must be positive");
        }

        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var token = options.Tokens[i];
            var where = $"Dashboard:Auth:Tokens:{i}";
            if (string.IsNullOrWhiteSpace(token.Name) || !names.Add(token.Name))
            {
                failures.Add($"{where}:Name must be set and unique");
            }

            if (token.Token.Length < MinimumTokenLength)
            {
                failures.Add($"{where}:Token ({token.Name}) must be at least {MinimumTokenLength} characters");
            }

            if (token.Role is not (DashboardRoles.Viewer or DashboardRoles.Operator))
            {
                failures.Add($"{where}:Role ({token.Name}) must be {DashboardRoles.Viewer} or {DashboardRoles.Operator}, not \"{token.Role}\"");
            }

            var known = clusters.Value.Names;
            foreach (var cluster in token.Clusters.Where(c => !known.Contains(c, StringComparer.Ordinal)))
            {
                failures.Add($"{where}:Clusters ({token.Name}) names \"{cluster}\", which is not a cluster; the clusters are: {string.Join(", ", known)}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
