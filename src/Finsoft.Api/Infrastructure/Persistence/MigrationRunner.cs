using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Verification;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>
/// Applies the forward-only SQL migrations embedded in this assembly (Migrations/&lt;Provider&gt;/NNNN_name.sql),
/// each in its own transaction, recording it in `schema_migrations`. Safe to run from several nodes at once:
/// PostgreSQL takes an advisory lock, SQLite a write lock. A migration that needs a secret the database must not hold
/// (the ledger's seal key) finishes in code, inside the same transaction.
/// </summary>
public sealed class MigrationRunner(FinsoftDb db, DatabaseTarget target, ILogger<MigrationRunner> logger, LedgerSeal? seal = null)
{
    private readonly DatabaseProvider _provider = target.Provider;
    internal const long AdvisoryLockKey = 0x46494E534F4654; // "FINSOFT"

    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> Available(DatabaseProvider provider)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"{assembly.GetName().Name}.Infrastructure.Persistence.Migrations.{provider}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => ToMigration(assembly, n, n[prefix.Length..^4]))
            .OrderBy(m => m.Version)
            .ToList();
    }

    private static Migration ToMigration(Assembly assembly, string resource, string fileName)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var version = int.Parse(fileName[..4], CultureInfo.InvariantCulture);
        return new Migration(version, fileName, reader.ReadToEnd());
    }

    /// <summary>Applies every migration not yet applied, up to <paramref name="upTo"/> when given.</summary>
    public async Task<int> MigrateAsync(int? upTo = null, CancellationToken ct = default)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (_provider == DatabaseProvider.Sqlite)
            {
                // WAL is a property of the database file and persists; synchronous=FULL is set per connection.
                await ExecuteAsync(connection, "PRAGMA journal_mode=WAL", ct);
            }
            return await ApplyPendingAsync(connection, upTo, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<int> ApplyPendingAsync(DbConnection connection, int? upTo, CancellationToken ct)
    {
        var timestampType = _provider == DatabaseProvider.Postgres ? "timestamptz" : "TEXT";
        HashSet<int> applied;
        await using (var setup = await connection.BeginTransactionAsync(ct))
        {
            await LockAsync(connection, setup, ct);
            await ExecuteAsync(connection,
                $"CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name TEXT NOT NULL, applied_at {timestampType} NOT NULL)", ct, setup);
            applied = await AppliedAsync(connection, setup, ct);
            await setup.CommitAsync(ct);
        }

        var count = 0;
        foreach (var migration in Available(_provider).Where(m => !applied.Contains(m.Version) && (upTo is null || m.Version <= upTo)))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await LockAsync(connection, transaction, ct);
            if ((await AppliedAsync(connection, transaction, ct)).Contains(migration.Version))
            {
                continue; // another node applied it while this one waited for the lock
            }
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = migration.Sql;
                await command.ExecuteNonQueryAsync(ct);
            }
            if (migration.Version == LedgerSealsStep.Version)
            {
                await new LedgerSealsStep(seal ?? throw new InvalidOperationException("Migration 0030 seals the ledger: the runner needs the seal key."))
                    .RunAsync(connection, transaction, ct);
            }
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at)";
                AddParameter(record, "@version", migration.Version);
                AddParameter(record, "@name", migration.Name);
                AddParameter(record, "@applied_at", _provider == DatabaseProvider.Postgres ? DateTime.UtcNow : DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            logger.LogInformation("Applied migration {Migration}", migration.Name);
            count++;
        }
        return count;
    }

    /// <summary>
    /// On PostgreSQL, serialises the nodes that start together with a lock that ends with the transaction, so it holds
    /// behind a pooler that hands each transaction a different server connection; SQLite's write lock already does.
    /// </summary>
    private async Task LockAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        if (_provider == DatabaseProvider.Postgres)
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", ct, transaction);
        }
    }

    private static async Task<HashSet<int>> AppliedAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        var applied = new HashSet<int>();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM schema_migrations";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
        }
        return applied;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct, DbTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    internal static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
