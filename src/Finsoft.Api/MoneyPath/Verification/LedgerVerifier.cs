using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Verification;

/// <summary>
/// Proves the books from the database alone: walks the journal in sequence recomputing every hash,
/// checks each entry balances per currency, that the head matches the last entry, that every
/// account's balance equals the sum of its postings, and that all postings per currency sum to zero.
/// </summary>
public sealed class LedgerVerifier(FinsoftDb db)
{
    private const int PageSize = 1000;

    public sealed record Report(
        bool Ok, long EntriesChecked, int AccountsChecked, long LastSequence, string LastHash,
        long? FirstBrokenSequence, Guid? FirstBrokenEntryId, IReadOnlyList<string> Problems, IReadOnlyList<TrialBalanceLine> TrialBalance);

    public sealed record TrialBalanceLine(string Currency, long TotalDebits, long TotalCredits, bool Balanced);

    public async Task<Report> VerifyAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        long? brokenSequence = null;
        Guid? brokenEntry = null;
        var previousHash = EntryHash.Genesis;
        long expectedSequence = 1, checkedCount = 0;

        void Broken(JournalEntryRow entry, string reason)
        {
            if (brokenSequence is null)
            {
                brokenSequence = entry.Sequence;
                brokenEntry = entry.Id;
                problems.Add($"Entry {entry.Sequence} ({entry.Id}): {reason}");
            }
        }

        for (long after = 0; ;)
        {
            var entries = await db.JournalEntries.AsNoTracking().Where(e => e.Sequence > after)
                .OrderBy(e => e.Sequence).Take(PageSize).ToListAsync(ct);
            if (entries.Count == 0)
            {
                break;
            }
            var ids = entries.Select(e => e.Id).ToList();
            var postings = (await db.Postings.AsNoTracking().Where(p => ids.Contains(p.EntryId)).ToListAsync(ct)).ToLookup(p => p.EntryId);
            foreach (var entry in entries)
            {
                var rows = postings[entry.Id].ToList();
                var lines = rows.Select(p => Currency.Find(p.Currency) is { } c ? new Posting(p.AccountId, p.Amount, c) : null).ToList();
                if (entry.Sequence != expectedSequence)
                {
                    Broken(entry, $"sequence {entry.Sequence} where {expectedSequence} was expected (an entry is missing)");
                }
                else if (entry.PreviousHash != previousHash)
                {
                    Broken(entry, "previous_hash does not match the hash of the entry before it");
                }
                else if (lines.Any(l => l is null))
                {
                    Broken(entry, "a posting names a currency that does not exist");
                }
                else if (EntryHash.Compute(new EntryHash.Content(entry.Sequence, entry.Id, entry.TransactionId, entry.CreatedAt, lines!, entry.EffectiveAt), previousHash) != entry.Hash)
                {
                    Broken(entry, "content does not match its hash (altered after it was written)");
                }
                else if (!JournalEntry.Create(lines!).IsSuccess)
                {
                    Broken(entry, "postings do not balance");
                }
                previousHash = entry.Hash;
                expectedSequence = entry.Sequence + 1;
                checkedCount++;
            }
            after = entries[^1].Sequence;
        }

        var head = await db.LedgerHead.AsNoTracking().SingleAsync(ct);
        if (head.Sequence != expectedSequence - 1 || head.LastHash != previousHash)
        {
            problems.Add($"Ledger head ({head.Sequence}) does not match the last entry ({expectedSequence - 1}).");
        }

        var sums = await db.Postings.AsNoTracking().GroupBy(p => p.AccountId)
            .Select(g => new { AccountId = g.Key, Sum = g.Sum(p => p.Amount) }).ToDictionaryAsync(x => x.AccountId, x => x.Sum, ct);
        var accounts = await db.Accounts.AsNoTracking().Select(a => new { a.Id, a.Balance, a.Held, a.NormalSide, a.Kind }).ToListAsync(ct);
        foreach (var account in accounts)
        {
            var sum = sums.GetValueOrDefault(account.Id);
            var expected = account.NormalSide == NormalSide.Debit ? sum : -sum;
            if (expected != account.Balance)
            {
                problems.Add($"Account {account.Id}: balance {account.Balance} but its postings sum to {expected}.");
            }
            if (account.Kind == AccountKind.Wallet && (account.Balance < 0 || account.Held < 0 || account.Held > account.Balance))
            {
                problems.Add($"Wallet {account.Id}: balance {account.Balance} with {account.Held} held is not allowed.");
            }
        }

        var trial = await db.Postings.AsNoTracking().GroupBy(p => p.Currency)
            .Select(g => new { Currency = g.Key, Debits = g.Sum(p => p.Amount > 0 ? p.Amount : 0), Credits = g.Sum(p => p.Amount < 0 ? -p.Amount : 0) })
            .ToListAsync(ct);
        var trialLines = trial.OrderBy(t => t.Currency, StringComparer.Ordinal)
            .Select(t => new TrialBalanceLine(t.Currency, t.Debits, t.Credits, t.Debits == t.Credits)).ToList();
        problems.AddRange(trialLines.Where(t => !t.Balanced).Select(t => $"Trial balance in {t.Currency} is off: debits {t.TotalDebits}, credits {t.TotalCredits}."));

        return new Report(problems.Count == 0, checkedCount, accounts.Count, expectedSequence - 1, previousHash,
            brokenSequence, brokenEntry, problems, trialLines);
    }
}
