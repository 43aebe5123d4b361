using Microsoft.Extensions.Logging;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

internal static class TestLogging
{
    /// <summary>Warnings and errors of the code under test go to the test output (console), the rest is dropped.</summary>
    public static ILoggerFactory Factory { get; } = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
}
