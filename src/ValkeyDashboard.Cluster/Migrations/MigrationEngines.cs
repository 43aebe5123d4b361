namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>The registered engines by name: a migration runs on the one its record names (<see cref="Migration.Engine"/>).</summary>
public sealed class MigrationEngines(IEnumerable<IMigrationEngine> engines)
{
    private readonly Dictionary<string, IMigrationEngine> _byName = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public IMigrationEngine For(string name) =>
        _byName.TryGetValue(name, out var engine) ? engine : throw new InvalidOperationException($"no migration engine named \"{name}\" is registered");

    public IMigrationEngine For(Migration migration) => For(migration.Engine);
}
