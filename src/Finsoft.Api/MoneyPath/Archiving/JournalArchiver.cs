using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Verification;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Finsoft.Api.MoneyPath.Archiving;

/// <summary>
/// Archives the oldest month still in the journal (PostgreSQL, whose journal is partitioned by the month entries are recorded
/// in). In one transaction: the month must be one run of the chain right after the previous archive; that run is proven
/// from the previous floor; a checkpoint at its last entry takes the totals up to it (kept for good, it is the new floor);
/// then the month's two partitions are detached, to be dumped and dropped by the operator. Anything wrong and nothing changes.
/// </summary>
public sealed class JournalArchiver(FinsoftDb db, ChainWalk chain, LedgerCheckpoints checkpoints, SealedChain sealedChain, LedgerSeal seal, AuditTrail audit,
    TimeProvider time)
{
    /// <summary>A month is archived from a day after it ended, when no node's clock can still be recording into it.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromDays(1);

    /// <summary>Proving a month of a large journal takes minutes; the request waits for it.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(30);

    /// <summary>One archiving at a time, across nodes (a transaction-scoped advisory lock, safe behind PgBouncer).</summary>
    private const long ArchiverLock = 0x4649_4e53_4152_4348; // "FINSARCH"

    public sealed record Outcome(LedgerArchiveRow? Archive, int Status, string? Problem)
    {
        public static Outcome Refused(int status, string problem) => new(null, status, problem);
    }

    private static string Suffix(DateOnly month) => $"y{month.Year:D4}m{month.Month:D2}";

    /// <param name="actor">The admin who asked; null when the service's retention policy archives (<see cref="JournalRetention"/>).</param>
    public async Task<Outcome> ArchiveAsync(DateOnly month, Guid? actor, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            return Outcome.Refused(409, "Archiving needs PostgreSQL, whose journal is partitioned by month; SQLite keeps its whole journal (back it up instead).");
        }
        var (start, next) = (month.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), month.AddMonths(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        var now = time.GetUtcNow().UtcDateTime;
        if (now < next + Settle)
        {
            return Outcome.Refused(422, $"{month:yyyy-MM} can be archived from {next + Settle:O}, a day after it ends.");
        }
        // Table names go into SQL as text: they are made from the month's digits, never from the request's text.
        var (entriesTable, postingsTable) = ("journal_entries_" + Suffix(month), "postings_" + Suffix(month));
        db.Database.SetCommandTimeout(CommandTimeout);
        await using var transaction = await LedgerVerifier.BeginWritingSnapshotAsync(db, ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ArchiverLock})", ct);

        if (await db.LedgerVerifications.AnyAsync(v => v.Status != LedgerVerificationStatus.Completed, ct))
        {
            // It may stand on a checkpoint inside the month, and would then find entries missing.
            return Outcome.Refused(409, "A ledger verification is under way; archive once it has finished.");
        }
        var previous = await db.LedgerArchives.AsNoTracking().OrderByDescending(a => a.Month).FirstOrDefaultAsync(ct);
        if (previous is not null && previous.Month >= month)
        {
            return Outcome.Refused(409, $"The journal is archived through {previous.Month:yyyy-MM}.");
        }
        if (await db.JournalEntries.AnyAsync(e => e.CreatedAt < start, ct))
        {
            return Outcome.Refused(422, "Older months are still in the journal: months are archived oldest first.");
        }
        var run = await db.JournalEntries.Where(e => e.CreatedAt >= start && e.CreatedAt < next).GroupBy(_ => 1)
            .Select(g => new { First = g.Min(e => e.Sequence), Last = g.Max(e => e.Sequence), Count = g.LongCount() }).FirstOrDefaultAsync(ct);
        if (run is null)
        {
            return Outcome.Refused(422, $"Nothing was recorded in {month:yyyy-MM}.");
        }
        var floor = previous?.LastSequence ?? 0;
        if (run.First != floor + 1 || run.Last - run.First + 1 != run.Count
            || await db.JournalEntries.AnyAsync(e => e.CreatedAt >= next && e.Sequence <= run.Last, ct))
        {
            return Outcome.Refused(409, $"The entries recorded in {month:yyyy-MM} are not one run of the chain after entry {floor}: a full verification says what is wrong.");
        }
        var countPartition = $"SELECT count(*) AS \"Value\" FROM {entriesTable}";
        if (!await db.Database.SqlQuery<bool>($"SELECT to_regclass({entriesTable}) IS NOT NULL AND to_regclass({postingsTable}) IS NOT NULL AS \"Value\"").SingleAsync(ct)
            || await db.Database.SqlQueryRaw<long>(countPartition).SingleAsync(ct) != run.Count)
        {
            return Outcome.Refused(409, $"Some entries of {month:yyyy-MM} are not in its partition ({entriesTable}) but in the default one; move them before archiving.");
        }

        var baseCheckpoint = previous is null ? null : await db.LedgerCheckpoints.AsNoTracking().FirstOrDefaultAsync(c => c.Id == previous.CheckpointId, ct);
        if (previous is not null && (!seal.HoldsArchive(previous) || baseCheckpoint?.Sequence != previous.LastSequence))
        {
            return Outcome.Refused(409, $"The archive of {previous.Month:yyyy-MM} does not carry the ledger's seal or names another checkpoint: it was written or " +
                                        "changed behind the API, so nothing is archived on top of it.");
        }
        if (baseCheckpoint is not null && checkpoints.TrustProblem(baseCheckpoint, await checkpoints.HashOfTotalsAsync(baseCheckpoint, ct)) is { } untrusted)
        {
            return Outcome.Refused(409, untrusted);
        }
        var from = baseCheckpoint is null ? ChainWalk.Position.Genesis : new ChainWalk.Position(baseCheckpoint.Sequence, baseCheckpoint.Hash);
        var walk = await chain.WalkAsync(from, run.Last, long.MaxValue, ct);
        if (walk.Broken is { } broken)
        {
            return Outcome.Refused(409, $"{month:yyyy-MM} does not verify, so it stays: {broken.Describe()}");
        }
        // The month's hashes prove it only if they still run on to something sealed: the nearest sealed checkpoint after it.
        if (await sealedChain.ProblemAfterAsync(walk.Reached, toCheckpoint: true, ct) is { } unsealed)
        {
            return Outcome.Refused(409, $"{month:yyyy-MM} does not verify, so it stays: {unsealed}");
        }
        var checkpoint = await checkpoints.WriteAsync(baseCheckpoint, walk.Reached, fullProof: true, now, ct);
        await checkpoints.SealAsync(checkpoint, await checkpoints.HashOfTotalsAsync(checkpoint, ct), ct);
        var postings = db.Postings.Where(p => p.CreatedAt >= start && p.CreatedAt < next);
        var through = await postings.MaxAsync(p => (DateTime?)p.EffectiveAt, ct);
        var archive = new LedgerArchiveRow
        {
            Month = month, FirstSequence = run.First, LastSequence = run.Last, Entries = run.Count, Postings = await postings.LongCountAsync(ct),
            EffectiveThrough = previous?.EffectiveThrough > through ? previous.EffectiveThrough : through, CheckpointId = checkpoint.Id,
            EntriesTable = entriesTable, PostingsTable = postingsTable, ArchivedBy = actor, ArchivedAt = now,
        };
        archive.Seal = seal.Seal(LedgerSeal.ArchiveStatement(archive));
        db.LedgerArchives.Add(archive);
        audit.Add(db, AuditEvents.LedgerMonthArchived, actor, null,
            new { month = month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), first_sequence = run.First, last_sequence = run.Last, entries = run.Count });
        await db.SaveChangesAsync(ct);

        // Detaching takes the journal tables' lock, which queues the money path behind it: wait briefly for readers to finish,
        // rather than hold everyone behind a long report.
        await db.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '5s'", ct);
        try
        {
            var detach = $"ALTER TABLE postings DETACH PARTITION {postingsTable}; ALTER TABLE journal_entries DETACH PARTITION {entriesTable}";
            await db.Database.ExecuteSqlRawAsync(detach, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await transaction.RollbackAsync(ct);
            return Outcome.Refused(409, "The journal was busy (a long read held it) and nothing was archived; try again.");
        }
        await transaction.CommitAsync(ct);
        return new Outcome(archive, 201, null);
    }
}
