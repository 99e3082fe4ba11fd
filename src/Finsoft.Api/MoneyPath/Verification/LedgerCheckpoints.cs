using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Verification;

/// <summary>
/// The proven points of the journal, and the totals that go with them. What a checkpoint holds (every account's posted
/// sum, every currency's debits and credits up to it) lets a verification prove the accounts and the trial balance from
/// the checkpoint on, reading only the postings written since.
/// </summary>
public sealed class LedgerCheckpoints(FinsoftDb db, LedgerSeal seal)
{
    /// <summary>The newest few keep their account totals, with any a verification still under way starts from, and the archive floors.</summary>
    private const int KeepTotalsOf = 3;

    /// <summary>The checkpoint verifications stand on: the furthest one not revoked that still has its totals.</summary>
    public Task<LedgerCheckpointRow?> LatestAsync(CancellationToken ct) =>
        db.LedgerCheckpoints.AsNoTracking().Where(c => c.RevokedAt == null && db.LedgerCheckpointAccounts.Any(a => a.CheckpointId == c.Id))
            .OrderByDescending(c => c.Sequence).ThenByDescending(c => c.CreatedAt).FirstOrDefaultAsync(ct);

    /// <summary>
    /// A verification found the journal wrong at <paramref name="fromSequence"/> (or, with no entry to name, anywhere): every
    /// checkpoint that vouched for that entry stops being stood on, so ledger/verify proves it again and says what it finds. Its
    /// seal goes with it, so clearing <c>revoked_at</c> behind the API does not make it stand again.
    /// </summary>
    public static Task<int> RevokeFromAsync(FinsoftDb db, long fromSequence, DateTime now, CancellationToken ct) =>
        db.LedgerCheckpoints.Where(c => c.RevokedAt == null && c.Sequence >= fromSequence && !db.LedgerArchives.Any(a => a.CheckpointId == c.Id))
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.Seal, (string?)null), ct);

    /// <summary>
    /// True for the checkpoint at an archived month's last entry, named by a sealed archive: the entries it proved are no
    /// longer in the journal to prove again, so it is never revoked nor pruned, and a full verification starts from the newest one.
    /// </summary>
    private async Task<bool> IsArchiveFloorAsync(LedgerCheckpointRow checkpoint, CancellationToken ct) =>
        (await db.LedgerArchives.AsNoTracking().Where(a => a.CheckpointId == checkpoint.Id).ToListAsync(ct))
            .Any(a => a.LastSequence == checkpoint.Sequence && seal.HoldsArchive(a));

    /// <summary>
    /// The newest archive floor (null while nothing is archived): where a full verification starts. Only a sealed archive whose
    /// entries have left the journal counts; an archive row written behind the API would otherwise let a verification skip
    /// entries still there, so without one the verification starts from the first entry and finds what is missing.
    /// </summary>
    public async Task<LedgerCheckpointRow?> ArchiveFloorAsync(CancellationToken ct)
    {
        var newest = await db.LedgerArchives.AsNoTracking().OrderByDescending(a => a.Month).FirstOrDefaultAsync(ct);
        if (newest is null || !seal.HoldsArchive(newest) || await db.JournalEntries.AnyAsync(e => e.Sequence <= newest.LastSequence, ct))
        {
            return null;
        }
        var floor = await db.LedgerCheckpoints.AsNoTracking().FirstOrDefaultAsync(c => c.Id == newest.CheckpointId, ct);
        return floor?.Sequence == newest.LastSequence ? floor : null;
    }

    /// <summary>True while the checkpoint still has its account totals (the newest few keep them); false once pruned.</summary>
    public Task<bool> HasTotalsAsync(LedgerCheckpointRow checkpoint, CancellationToken ct) =>
        db.LedgerCheckpointAccounts.AnyAsync(a => a.CheckpointId == checkpoint.Id, ct);

    /// <summary>Null when the entry the checkpoint ends at still has the hash it was proven with; otherwise what is wrong.</summary>
    public async Task<string?> AnchorProblemAsync(LedgerCheckpointRow checkpoint, CancellationToken ct)
    {
        var hash = await db.JournalEntries.AsNoTracking().Where(e => e.Sequence == checkpoint.Sequence).Select(e => e.Hash).FirstOrDefaultAsync(ct);
        if (hash is null && await IsArchiveFloorAsync(checkpoint, ct))
        {
            return null; // its entry left with its month: the walk proves the next entry names its hash, and the head when none follows
        }
        return hash == checkpoint.Hash
            ? null
            : $"Checkpoint at entry {checkpoint.Sequence} no longer matches the journal: that entry's hash is {hash ?? "missing"}, " +
              $"{checkpoint.Hash} was proven. Entries up to it were rewritten; a full verification finds where.";
    }

    /// <summary>An account <see cref="CheckAsync"/> found wrong: its balance and what its postings say it should be.</summary>
    private sealed record WrongAccount(Guid Id, long Balance, long Held, string Kind, long Expected);

    /// <summary>What a checkpoint's totals prove the books against, with the hash they have now.</summary>
    public sealed record Check(int Accounts, List<string> Problems, List<LedgerVerifier.TrialBalanceLine> TrialBalance, string TotalsHash);

    /// <summary>
    /// Inside the caller's snapshot: hashes the checkpoint's totals; finds every account whose balance is not its postings' sum
    /// (the checkpoint's total plus the postings after it) and every wallet in a state a wallet may not be in; and makes the
    /// trial balance the same way. With no checkpoint, from the first entry. The database compares, and answers only the
    /// accounts that are wrong: a check costs the API the same with a hundred accounts as with a million.
    /// </summary>
    public async Task<Check> CheckAsync(LedgerCheckpointRow? checkpoint, CancellationToken ct)
    {
        var hash = checkpoint is null ? "" : await HashOfTotalsAsync(checkpoint, ct);
        var (id, since) = (checkpoint?.Id ?? Guid.Empty, checkpoint?.Sequence ?? 0);
        // Portable SQL: EF does not translate a left join to a grouped union.
        var wrong = await db.Database.SqlQuery<WrongAccount>($"""
            SELECT * FROM (
                SELECT a.id AS "Id", a.balance AS "Balance", a.held AS "Held", a.kind AS "Kind",
                       CASE WHEN a.normal_side = {NormalSide.Debit} THEN coalesce(s.posted, 0) ELSE -coalesce(s.posted, 0) END AS "Expected"
                FROM accounts a LEFT JOIN (
                    SELECT account_id, CAST(SUM(amount) AS bigint) AS posted FROM (
                        SELECT account_id, posted AS amount FROM ledger_checkpoint_accounts WHERE checkpoint_id = {id}
                        UNION ALL
                        SELECT account_id, amount FROM postings WHERE sequence > {since}
                    ) t GROUP BY account_id
                ) s ON s.account_id = a.id
            ) c
            WHERE c."Expected" <> c."Balance" OR (c."Kind" = {AccountKind.Wallet} AND (c."Balance" < 0 OR c."Held" < 0 OR c."Held" > c."Balance"))
            ORDER BY c."Id"
            """).ToListAsync(ct);
        var problems = new List<string>();
        foreach (var account in wrong)
        {
            if (account.Expected != account.Balance)
            {
                problems.Add($"Account {account.Id}: balance {account.Balance} but its postings sum to {account.Expected}.");
            }
            if (account.Kind == AccountKind.Wallet && (account.Balance < 0 || account.Held < 0 || account.Held > account.Balance))
            {
                problems.Add($"Wallet {account.Id}: balance {account.Balance} with {account.Held} held is not allowed.");
            }
        }

        var totals = await db.LedgerCheckpointCurrencies.AsNoTracking().Where(c => c.CheckpointId == id)
            .ToDictionaryAsync(c => c.Currency, c => (c.Debits, c.Credits), StringComparer.Ordinal, ct);
        var recent = await PostingsAfter(since).GroupBy(p => p.Currency)
            .Select(g => new { Currency = g.Key, Debits = g.Sum(p => p.Amount > 0 ? p.Amount : 0), Credits = g.Sum(p => p.Amount < 0 ? -p.Amount : 0) })
            .ToListAsync(ct);
        foreach (var line in recent)
        {
            var (debits, credits) = totals.GetValueOrDefault(line.Currency);
            totals[line.Currency] = (debits + line.Debits, credits + line.Credits);
        }
        var trial = totals.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new LedgerVerifier.TrialBalanceLine(t.Key, t.Value.Debits, t.Value.Credits, t.Value.Debits == t.Value.Credits)).ToList();
        problems.AddRange(trial.Where(t => !t.Balanced).Select(t => $"Trial balance in {t.Currency} is off: debits {t.TotalDebits}, credits {t.TotalCredits}."));
        return new Check(await db.Accounts.CountAsync(ct), problems, trial, hash);
    }

    /// <summary>
    /// The hash of the checkpoint's totals as they are stored now (without proving anything against them), as <see cref="TotalsHash"/>
    /// makes it. PostgreSQL makes it where the totals are and sends back only the hash.
    /// </summary>
    public async Task<string> HashOfTotalsAsync(LedgerCheckpointRow checkpoint, CancellationToken ct)
    {
        var (id, anchor) = (checkpoint.Id, checkpoint.Hash);
        if (db.Database.IsNpgsql())
        {
            // uuid order is byte order, as Guid.CompareTo's; a bigint prints as the invariant culture prints it; codes compare as bytes.
            var sequence = checkpoint.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await db.Database.SqlQuery<string>($"""
                SELECT encode(sha256(convert_to({sequence} || '|' || {anchor} || '|'
                    || coalesce((SELECT string_agg(replace(account_id::text, '-', '') || ':' || posted || ';', '' ORDER BY account_id)
                                 FROM ledger_checkpoint_accounts WHERE checkpoint_id = {id}), '') || '|'
                    || coalesce((SELECT string_agg(currency || ':' || debits || ':' || credits || ';', '' ORDER BY currency COLLATE "C")
                                 FROM ledger_checkpoint_currencies WHERE checkpoint_id = {id}), ''), 'UTF8')), 'hex') AS "Value"
                """).SingleAsync(ct);
        }
        var accounts = await db.LedgerCheckpointAccounts.AsNoTracking().Where(a => a.CheckpointId == id).Select(a => new { a.AccountId, a.Posted }).ToListAsync(ct);
        var currencies = await db.LedgerCheckpointCurrencies.AsNoTracking().Where(c => c.CheckpointId == id)
            .Select(c => new { c.Currency, c.Debits, c.Credits }).ToListAsync(ct);
        return TotalsHash(checkpoint.Sequence, anchor, accounts.Select(a => (a.AccountId, a.Posted)), currencies.Select(c => (c.Currency, c.Debits, c.Credits)));
    }

    /// <summary>
    /// Null when the checkpoint can be stood on: <paramref name="totalsHashNow"/> (the hash of its totals as stored now) is the
    /// hash it was sealed with, and its seal holds. Otherwise what is wrong: it was changed, or written, behind the API.
    /// </summary>
    public string? TrustProblem(LedgerCheckpointRow checkpoint, string totalsHashNow) =>
        totalsHashNow != checkpoint.TotalsHash
            ? $"Checkpoint at entry {checkpoint.Sequence}: its account or currency totals no longer match their hash (changed behind the API)."
            : !seal.HoldsCheckpoint(checkpoint)
                ? $"Checkpoint at entry {checkpoint.Sequence} does not carry the ledger's seal: it was written or changed behind the API " +
                  "(or sealed with a key this node does not have)."
                : null;

    /// <summary>
    /// Records a checkpoint at <paramref name="at"/>: its totals are the base checkpoint's (none: from the first entry) plus the
    /// postings of the entries after the base, up to and including <paramref name="at"/>. Summed by the database.
    /// </summary>
    public async Task<LedgerCheckpointRow> WriteAsync(LedgerCheckpointRow? baseCheckpoint, ChainWalk.Position at, bool fullProof, DateTime now, CancellationToken ct)
    {
        var checkpoint = new LedgerCheckpointRow
        {
            Id = Guid.NewGuid(), Sequence = at.Sequence, Hash = at.Hash, TotalsHash = "", BaseSequence = baseCheckpoint?.Sequence ?? 0,
            FullProof = fullProof, CreatedAt = now,
        };
        db.LedgerCheckpoints.Add(checkpoint);
        await db.SaveChangesAsync(ct);
        var (id, baseId, from, to) = (checkpoint.Id, baseCheckpoint?.Id ?? Guid.Empty, checkpoint.BaseSequence, at.Sequence);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ledger_checkpoint_accounts (checkpoint_id, account_id, posted)
            SELECT {id}, account_id, SUM(amount) FROM (
                SELECT account_id, posted AS amount FROM ledger_checkpoint_accounts WHERE checkpoint_id = {baseId}
                UNION ALL
                SELECT account_id, amount FROM postings WHERE sequence > {from} AND sequence <= {to}
            ) s GROUP BY account_id
            """, ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ledger_checkpoint_currencies (checkpoint_id, currency, debits, credits)
            SELECT {id}, currency, SUM(debits), SUM(credits) FROM (
                SELECT currency, debits, credits FROM ledger_checkpoint_currencies WHERE checkpoint_id = {baseId}
                UNION ALL
                SELECT currency, CASE WHEN amount > 0 THEN amount ELSE 0 END, CASE WHEN amount < 0 THEN -amount ELSE 0 END
                FROM postings WHERE sequence > {from} AND sequence <= {to}
            ) s GROUP BY currency
            """, ct);
        return checkpoint;
    }

    /// <summary>Records the hash of the new checkpoint's totals and seals it, once they are proven (by <see cref="CheckAsync"/>, or by archiving).</summary>
    public async Task SealAsync(LedgerCheckpointRow checkpoint, string totalsHash, CancellationToken ct)
    {
        checkpoint.TotalsHash = totalsHash;
        checkpoint.Seal = seal.Seal(LedgerSeal.CheckpointStatement(checkpoint));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// <c>sequence|anchor|</c>, then <c>account:posted;</c> for each account by id (uuid byte order, as <see cref="Guid.CompareTo(Guid)"/>),
    /// then <c>|</c> and <c>currency:debits:credits;</c> for each currency by code; SHA-256 in lower-case hex.
    /// </summary>
    public static string TotalsHash(long sequence, string anchor, IEnumerable<(Guid Account, long Posted)> accounts,
        IEnumerable<(string Currency, long Debits, long Credits)> currencies)
    {
        var text = new System.Text.StringBuilder().Append(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('|').Append(anchor).Append('|');
        foreach (var (account, posted) in accounts.OrderBy(a => a.Account))
        {
            text.Append(account.ToString("N")).Append(':').Append(posted.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(';');
        }
        text.Append('|');
        foreach (var (currency, debits, credits) in currencies.OrderBy(c => c.Currency, StringComparer.Ordinal))
        {
            text.Append(currency).Append(':').Append(debits.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':')
                .Append(credits.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(';');
        }
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// Drops the account totals of all but the newest few checkpoints, never those of <paramref name="kept"/> nor of one that a
    /// verification under way starts from. Run once the new checkpoint has passed its checks.
    /// </summary>
    public async Task PruneTotalsAsync(Guid kept, CancellationToken ct)
    {
        var inUse = db.LedgerVerifications.Where(v => v.Status != LedgerVerificationStatus.Completed && v.BaseCheckpointId != null)
            .Select(v => v.BaseCheckpointId!.Value);
        var older = await db.LedgerCheckpoints.AsNoTracking().Where(c => c.RevokedAt == null)
            .OrderByDescending(c => c.Sequence).ThenByDescending(c => c.CreatedAt).Skip(KeepTotalsOf).Select(c => c.Id).ToListAsync(ct);
        older.AddRange(await db.LedgerCheckpoints.AsNoTracking().Where(c => c.RevokedAt != null).Select(c => c.Id).ToListAsync(ct));
        var floors = db.LedgerArchives.Select(a => a.CheckpointId);
        await db.LedgerCheckpointAccounts.Where(a => older.Contains(a.CheckpointId) && a.CheckpointId != kept && !inUse.Contains(a.CheckpointId)
                && !floors.Contains(a.CheckpointId))
            .ExecuteDeleteAsync(ct);
    }

    /// <summary>The postings of the entries after <paramref name="sequence"/> (by their copy of it, which is indexed): few after a recent checkpoint.</summary>
    private IQueryable<PostingRow> PostingsAfter(long sequence) => db.Postings.Where(p => p.Sequence > sequence);
}
