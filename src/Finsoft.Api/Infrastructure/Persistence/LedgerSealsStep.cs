using System.Data.Common;
using System.Globalization;
using Finsoft.Api.MoneyPath.Verification;

namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>
/// Migration 0030's second half, in its transaction: seals the head, the standing checkpoints, the archives and the
/// verifications under way as the upgrade finds them. The one moment the service vouches for what it did not seal itself;
/// afterwards only the money path and proven verifications seal anything. (Revoked checkpoints stay unsealed: un-revoking one
/// behind the API then needs the key.)
/// </summary>
public sealed class LedgerSealsStep(LedgerSeal seal)
{
    public const int Version = 30;

    public async Task RunAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        // Ids are written back as the database gave them (uuid on PostgreSQL, text on SQLite), so they match.
        var seals = new List<(string Table, string Key, object Id, string Seal)>();
        seals.AddRange(await ReadAsync(connection, transaction, "SELECT id, sequence, last_hash FROM ledger_head", r =>
            ("ledger_head", "id", r.GetValue(0), seal.SealHead(Long(r, 1), r.GetString(2))), ct));
        seals.AddRange(await ReadAsync(connection, transaction,
            "SELECT id, sequence, hash, totals_hash, full_proof FROM ledger_checkpoints WHERE revoked_at IS NULL", r =>
                ("ledger_checkpoints", "id", r.GetValue(0), seal.Seal(LedgerSeal.CheckpointStatement(new LedgerCheckpointRow
                {
                    Id = r.GetGuid(0), Sequence = Long(r, 1), Hash = r.GetString(2), TotalsHash = r.GetString(3),
                    FullProof = Convert.ToBoolean(r.GetValue(4), CultureInfo.InvariantCulture),
                }))), ct));
        seals.AddRange(await ReadAsync(connection, transaction, "SELECT month, first_sequence, last_sequence, checkpoint_id FROM ledger_archives", r =>
            ("ledger_archives", "month", r.GetValue(0), seal.Seal(LedgerSeal.ArchiveStatement(new LedgerArchiveRow
            {
                Month = r.GetValue(0) switch { DateOnly d => d, DateTime t => DateOnly.FromDateTime(t), var v => DateOnly.Parse(Convert.ToString(v, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture) },
                FirstSequence = Long(r, 1), LastSequence = Long(r, 2), CheckpointId = r.GetGuid(3), EntriesTable = "", PostingsTable = "",
            }))), ct));
        seals.AddRange(await ReadAsync(connection, transaction,
            "SELECT id, kind, base_checkpoint_id, base_sequence, target_sequence, verified_sequence, verified_hash FROM ledger_verifications WHERE status <> 'completed'", r =>
                ("ledger_verifications", "id", r.GetValue(0), seal.Seal(LedgerSeal.ProgressStatement(new LedgerVerificationRow
                {
                    Id = r.GetGuid(0), Kind = r.GetString(1), Status = "", BaseCheckpointId = r.IsDBNull(2) ? null : r.GetGuid(2), BaseSequence = Long(r, 3),
                    TargetSequence = Long(r, 4), VerifiedSequence = Long(r, 5), VerifiedHash = r.GetString(6),
                }))), ct));
        foreach (var (table, key, id, value) in seals)
        {
            await using var write = connection.CreateCommand();
            write.Transaction = transaction;
            write.CommandText = $"UPDATE {table} SET seal = @seal WHERE {key} = @id";
            MigrationRunner.AddParameter(write, "@seal", value);
            MigrationRunner.AddParameter(write, "@id", id);
            await write.ExecuteNonQueryAsync(ct);
        }
    }

    private static long Long(DbDataReader reader, int column) => Convert.ToInt64(reader.GetValue(column), CultureInfo.InvariantCulture);

    private static async Task<List<T>> ReadAsync<T>(DbConnection connection, DbTransaction transaction, string sql, Func<DbDataReader, T> row, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(row(reader));
        }
        return rows;
    }
}
