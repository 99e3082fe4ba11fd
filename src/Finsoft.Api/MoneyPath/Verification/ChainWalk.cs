using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Verification;

/// <summary>
/// Proves the journal's hash chain forward from a point already proven, a page at a time: each entry must come next in
/// sequence, carry the hash of the one before it, hash to its own content, name real currencies, and balance.
/// </summary>
public sealed class ChainWalk(FinsoftDb db)
{
    private const int PageSize = 2000;

    /// <summary>A proven point of the chain: the entry's sequence and hash (0 and the genesis hash before the first entry).</summary>
    public sealed record Position(long Sequence, string Hash)
    {
        public static readonly Position Genesis = new(0, EntryHash.Genesis);
    }

    public sealed record Break(long Sequence, Guid EntryId, string Reason)
    {
        public string Describe() => $"Entry {Sequence} ({EntryId}): {Reason}";
    }

    public sealed record Outcome(Position Reached, long Checked, Break? Broken);

    /// <summary>Proves the entries after <paramref name="from"/> up to <paramref name="to"/>, at most <paramref name="limit"/> of them; stops at the first break.</summary>
    public async Task<Outcome> WalkAsync(Position from, long to, long limit, CancellationToken ct)
    {
        var position = from;
        long checkedCount = 0;
        while (position.Sequence < to && checkedCount < limit)
        {
            var after = position.Sequence;
            var take = (int)Math.Min(PageSize, limit - checkedCount);
            var entries = await db.JournalEntries.AsNoTracking().Where(e => e.Sequence > after && e.Sequence <= to)
                .OrderBy(e => e.Sequence).Take(take).ToListAsync(ct);
            if (entries.Count == 0)
            {
                return new Outcome(position, checkedCount, new Break(after + 1, Guid.Empty, $"entries up to {to} were expected but the journal ends at {after}"));
            }
            // The postings by their own copy of the sequence: one that claims an entry's place but names another entry is found.
            var last = entries[^1].Sequence;
            var postings = (await db.Postings.AsNoTracking().Where(p => p.Sequence > after && p.Sequence <= last).ToListAsync(ct)).ToLookup(p => p.Sequence);
            foreach (var entry in entries)
            {
                if (Check(entry, [.. postings[entry.Sequence]], position) is { } reason)
                {
                    return new Outcome(position, checkedCount, new Break(entry.Sequence, entry.Id, reason));
                }
                position = new Position(entry.Sequence, entry.Hash);
                checkedCount++;
            }
        }
        return new Outcome(position, checkedCount, null);
    }

    private static string? Check(JournalEntryRow entry, IReadOnlyCollection<PostingRow> rows, Position previous)
    {
        var lines = rows.Select(p => Currency.Find(p.Currency) is { } c ? new Posting(p.AccountId, p.Amount, c) : null).ToList();
        if (entry.Sequence != previous.Sequence + 1)
        {
            return $"sequence {entry.Sequence} where {previous.Sequence + 1} was expected (an entry is missing)";
        }
        if (entry.PreviousHash != previous.Hash)
        {
            return "previous_hash does not match the hash of the entry before it";
        }
        if (lines.Any(l => l is null))
        {
            return "a posting names a currency that does not exist";
        }
        if (rows.Any(p => p.EffectiveAt != entry.EffectiveAt))
        {
            return "a posting's effective_at differs from its entry's (it would move in statements and balances as of a moment)";
        }
        if (rows.Any(p => p.EntryId != entry.Id || p.TransactionId != entry.TransactionId || p.CreatedAt != entry.CreatedAt))
        {
            return "a posting at this sequence names another entry, transaction or recording time (its statement line would name another)";
        }
        var content = new EntryHash.Content(entry.Sequence, entry.Id, entry.TransactionId, entry.CreatedAt, lines!, entry.EffectiveAt);
        if (EntryHash.Compute(content, previous.Hash) != entry.Hash)
        {
            return "content does not match its hash (altered after it was written)";
        }
        return JournalEntry.Create(lines!).IsSuccess ? null : "postings do not balance";
    }
}
