namespace ValkeyDashboard.IntegrationTests.Infrastructure;

public class ServerKindLocationTests
{
    [Fact]
    public void A_kind_whose_binaries_are_missing_fails_with_how_to_get_them()
    {
        var missing = ServerKind.Redis7 with { Name = "redis7", EnvironmentVariable = "VALKEY_DASHBOARD_TEST_UNSET_BIN_DIR", ToolsFolder = "no-such-server" };

        var ex = Assert.Throws<InvalidOperationException>(() => missing.ServerPath);

        Assert.Contains("redis-server for the redis7 tests is not in", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(".tools", "no-such-server", "bin"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("eng/get-server.sh redis7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("VALKEY_DASHBOARD_TEST_UNSET_BIN_DIR", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_exported_bin_directory_is_used_when_set()
    {
        var variable = $"VALKEY_DASHBOARD_TEST_BIN_DIR_{Environment.ProcessId}";
        var exported = ServerKind.Redis7 with { EnvironmentVariable = variable, ToolsFolder = "no-such-server" };
        Environment.SetEnvironmentVariable(variable, ServerKind.Redis7.BinDirectory);
        try
        {
            Assert.Equal(Path.Combine(ServerKind.Redis7.BinDirectory, "redis-server"), exported.ServerPath);
            Assert.StartsWith("7.0.", exported.ReadVersion(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
