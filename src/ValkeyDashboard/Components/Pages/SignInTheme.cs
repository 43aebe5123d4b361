using System.Text;
using MudBlazor;

namespace ValkeyDashboard.Components.Pages;

/// <summary>
/// The dark palette of <see cref="DashboardTheme"/> as CSS that applies when the system prefers dark: the sign-in page is
/// rendered without a circuit, so MudBlazor cannot ask the browser; the media query does instead.
/// </summary>
internal static class SignInTheme
{
    public static string DarkWhenPreferred { get; } = Build();

    private static string Build()
    {
        var css = new StringBuilder();
        new DarkVariables().AppendTo(css);
        // html:root outranks the light theme's :root, which comes first.
        return "@media (prefers-color-scheme: dark) { html:root { " + css.ToString().Replace(":root", string.Empty, StringComparison.Ordinal).Trim().Trim('{', '}') + " } }";
    }

    private sealed class DarkVariables : MudThemeProvider
    {
        public void AppendTo(StringBuilder css)
        {
#pragma warning disable BL0005, MUD0011 // Set outside rendering on purpose: this instance is never rendered, only asked for its CSS.
            Theme = DashboardTheme.Theme;
            IsDarkMode = true;
#pragma warning restore BL0005, MUD0011
            GenerateTheme(css);
        }
    }
}
