using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace ValkeyDashboard.Authentication;

internal static class DashboardAuthExtensions
{
    private const string PolicySchemeName = "Dashboard";
    private const int MinimumTokenLength = 16;

    /// <summary>Cookies for browsers, bearer tokens for scripts, roles viewer and operator; everything but health, static files and OpenAPI needs a signed-in viewer.</summary>
    public static IServiceCollection AddDashboardAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(DashboardAuthOptions.SectionName).Get<DashboardAuthOptions>() ?? new DashboardAuthOptions();
        Validate(options);
        services.AddSingleton(options);
        services.AddSingleton<BrowserSignIn>();
        services.AddHostedService<DashboardAuthStartup>();

        services.AddAuthentication(PolicySchemeName)
            .AddPolicyScheme(PolicySchemeName, null, o => o.ForwardDefaultSelector = context =>
                options.Mode == DashboardAuthMode.None ? NoSignInAuthenticationHandler.SchemeName
                : ApiTokenAuthenticationHandler.PresentedToken(context.Request) is not null ? ApiTokenAuthenticationHandler.SchemeName
                : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = ".ValkeyDashboard.SignIn";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = options.SessionIdleTimeout;
                o.SlidingExpiration = true;
                o.LoginPath = BrowserSignIn.Path;
                // The API and the hub answer with ProblemDetails; pages go to the sign-in explanation.
                o.Events.OnRedirectToLogin = context => IsApi(context.Request)
                    ? DashboardProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                        "sign in first: send Authorization: Bearer <token> with a token from Dashboard:Auth:Tokens (or open the browser sign-in link)")
                    : RedirectAsync(context);
                o.Events.OnRedirectToAccessDenied = context => DashboardProblems.ForbiddenAsync(context.HttpContext);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, NoSignInAuthenticationHandler>(NoSignInAuthenticationHandler.SchemeName, null);

        var view = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser().RequireRole(DashboardRoles.Viewer, DashboardRoles.Operator).Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(DashboardRoles.ViewPolicy, view)
            .AddPolicy(DashboardRoles.OperatePolicy, p => p.RequireAuthenticatedUser().RequireRole(DashboardRoles.Operator))
            .SetFallbackPolicy(view);
        services.AddCascadingAuthenticationState();
        return services;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs");

    private static Task RedirectAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(BrowserSignIn.Path);
        return Task.CompletedTask;
    }

    private static void Validate(DashboardAuthOptions options)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var token = options.Tokens[i];
            var where = $"Dashboard:Auth:Tokens:{i}";
            if (string.IsNullOrWhiteSpace(token.Name) || !names.Add(token.Name))
            {
                throw new InvalidOperationException($"{where}:Name must be set and unique");
            }

            if (token.Token.Length < MinimumTokenLength)
            {
                throw new InvalidOperationException($"{where}:Token ({token.Name}) must be at least {MinimumTokenLength} characters");
            }

            if (token.Role is not (DashboardRoles.Viewer or DashboardRoles.Operator))
            {
                throw new InvalidOperationException($"{where}:Role ({token.Name}) must be {DashboardRoles.Viewer} or {DashboardRoles.Operator}, not \"{token.Role}\"");
            }
        }
    }
}
