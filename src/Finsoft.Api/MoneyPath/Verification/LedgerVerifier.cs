using System.Data;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Finsoft.Api.MoneyPath.Verification;

/// <summary>
/// Proves the books from the database alone, from the latest checkpoint on: the checkpoint's anchor (the hash of the entry
/// it ends at) must still be in the journal; every entry after it must chain, hash to its content and balance; the head
/// must match the last entry; every account's balance must equal its postings' sum and every currency's postings must sum
/// to zero (both from the checkpoint's totals plus what came after). With no checkpoint it proves everything from the
/// first entry. Archived months are stood in for by the checkpoint at their end, which is never revoked. All of it is read in one snapshot, so writes going on meanwhile cannot make it disagree with itself.
/// </summary>
public sealed class LedgerVerifier(FinsoftDb db, ChainWalk chain, LedgerCheckpoints checkpoints, LedgerSeal seal)
{
    public sealed record Report(
        bool Ok, long EntriesChecked, int AccountsChecked, long LastSequence, string LastHash,
        long? FirstBrokenSequence, Guid? FirstBrokenEntryId, IReadOnlyList<string> Problems, IReadOnlyList<TrialBalanceLine> TrialBalance,
        Coverage Covered);

    public sealed record TrialBalanceLine(string Currency, long TotalDebits, long TotalCredits, bool Balanced);

    /// <summary>
    /// What this verification proved itself (entries <see cref="FromSequence"/> to <see cref="ToSequence"/>), the checkpoint it
    /// stands on, and the months archived out of the journal (proven when they left; their totals stand in for them).
    /// </summary>
    public sealed record Coverage(long FromSequence, long ToSequence, CheckpointDto? Checkpoint, ArchivedDto? Archived);

    /// <summary>Entries 1 to <see cref="ThroughSequence"/> are archived, as these months.</summary>
    public sealed record ArchivedDto(long ThroughSequence, IReadOnlyList<DateOnly> Months);

    public sealed record CheckpointDto(Guid Id, long Sequence, string Hash, bool FullProof, DateTime CreatedAt)
    {
        public static CheckpointDto? From(LedgerCheckpointRow? row) =>
            row is null ? null : new(row.Id, row.Sequence, row.Hash, row.FullProof, row.CreatedAt);
    }

    public async Task<Report> VerifyAsync(CancellationToken ct)
    {
        await using var snapshot = await BeginSnapshotAsync(db, ct);
        var checkpoint = await checkpoints.LatestAsync(ct);
        var problems = new List<string>();
        if (checkpoint is not null && await checkpoints.AnchorProblemAsync(checkpoint, ct) is { } anchor)
        {
            problems.Add(anchor);
        }
        var head = await db.LedgerHead.AsNoTracking().SingleAsync(ct);
        var from = checkpoint is null ? ChainWalk.Position.Genesis : new ChainWalk.Position(checkpoint.Sequence, checkpoint.Hash);
        var walk = await chain.WalkAsync(from, head.Sequence, long.MaxValue, ct);
        if (walk.Broken is { } broken)
        {
            problems.Add(broken.Describe());
        }
        else if (head.LastHash != walk.Reached.Hash)
        {
            problems.Add($"Ledger head ({head.Sequence}) does not match the last entry ({walk.Reached.Sequence}).");
        }
        else if (!seal.HoldsHead(head))
        {
            problems.Add(SealedChain.HeadProblem(head));
        }
        else if (await db.JournalEntries.AnyAsync(e => e.Sequence > head.Sequence, ct) || await db.Postings.AnyAsync(p => p.Sequence > head.Sequence, ct))
        {
            problems.Add($"Entries or postings after the ledger head ({head.Sequence}) exist.");
        }
        var check = await checkpoints.CheckAsync(checkpoint, ct);
        if (checkpoint is not null && checkpoints.TrustProblem(checkpoint, check.TotalsHash) is { } untrusted)
        {
            problems.Add(untrusted);
        }
        problems.AddRange(check.Problems);
        var months = await db.LedgerArchives.AsNoTracking().OrderBy(a => a.Month).Select(a => new { a.Month, a.LastSequence }).ToListAsync(ct);
        var archived = months.Count == 0 ? null : new ArchivedDto(months[^1].LastSequence, months.Select(m => m.Month).ToList());
        return new Report(problems.Count == 0, walk.Checked, check.Accounts, walk.Reached.Sequence, walk.Reached.Hash,
            walk.Broken?.Sequence, walk.Broken?.EntryId, problems, check.TrialBalance,
            new Coverage(from.Sequence + 1, walk.Reached.Sequence, CheckpointDto.From(checkpoint), archived));
    }

    /// <summary>
    /// A read-only transaction that sees one moment: REPEATABLE READ on PostgreSQL; on SQLite a deferred transaction, whose
    /// first read fixes the snapshot (in WAL mode) without the write lock that EF's default BEGIN IMMEDIATE takes. Disposing
    /// it ends it (EF does not dispose a transaction it was handed).
    /// </summary>
    public static async Task<IAsyncDisposable> BeginSnapshotAsync(FinsoftDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            return await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        }
        await db.Database.OpenConnectionAsync(ct);
        var transaction = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
        await db.Database.UseTransactionAsync(transaction, ct);
        return new SqliteSnapshot(db, transaction);
    }

    /// <summary>
    /// A transaction that sees one moment and writes: REPEATABLE READ on PostgreSQL; BEGIN IMMEDIATE on SQLite, since a
    /// deferred one could not take the write lock once another writer had committed after its snapshot.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginWritingSnapshotAsync(FinsoftDb db, CancellationToken ct) =>
        db.Database.IsNpgsql()
            ? await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct)
            : await db.Database.BeginTransactionAsync(ct);

    private sealed class SqliteSnapshot(FinsoftDb db, SqliteTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await db.Database.UseTransactionAsync(null);
            await transaction.DisposeAsync();
        }
    }
}
