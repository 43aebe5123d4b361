using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

internal static class ExpectTimeout
{
    /// <summary>
    /// How long an <c>Expect(...)</c> without its own timeout waits for its condition: 15 s rather than Playwright's 5 s.
    /// The tests share two cores with the integration tests' clusters (eng/test.sh runs both at once), where one
    /// Blazor round trip (a preflight asking the cluster, a dialog's render) has been seen to take several seconds.
    /// A condition that holds still passes as soon as it holds; only a failure takes longer to report.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() => Assertions.SetDefaultExpectTimeout(15_000);
}
