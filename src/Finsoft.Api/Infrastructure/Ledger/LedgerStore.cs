using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Ledger;

/// <summary>What a new transaction records; the store stamps its id and times.</summary>
public sealed record NewTransaction(
    TransactionType Type, TransactionStatus Status, Money Amount, Guid InitiatedBy, string? Description,
    Guid? OriginAccountId = null, Guid? DestinationAccountId = null, Guid? ExternalDestinationId = null, Guid? ReversalOfId = null);

/// <summary>A change to one account row: its balance and the funds it has on hold.</summary>
public readonly record struct AccountChange(Guid AccountId, long BalanceDelta, long HeldDelta = 0);

/// <summary>
/// Each account's normal side, remembered once read: a side never changes after the account is created,
/// so this cache cannot go stale, on this node or any other.
/// </summary>
public sealed class AccountSides
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, string> _sides = new();

    /// <summary>The sides of the given accounts; an account missing from the answer does not exist.</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> GetAsync(FinsoftDb db, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var missing = ids.Where(id => !_sides.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            var read = await db.Accounts.AsNoTracking().Where(a => missing.Contains(a.Id)).Select(a => new { a.Id, a.NormalSide }).ToListAsync(ct);
            foreach (var account in read)
            {
                _sides[account.Id] = account.NormalSide;
            }
        }
        return ids.Where(_sides.ContainsKey).ToDictionary(id => id, id => _sides[id]);
    }
}

/// <summary>
/// The only code that changes balances and writes the journal. Every method runs inside the caller's
/// open transaction (see <see cref="UnitOfWork"/>).
/// </summary>
public sealed class LedgerStore(FinsoftDb db, AccountSides accountSides, TimeProvider time)
{
    /// <summary>Inserts the transaction row that postings and holds will refer to.</summary>
    public async Task<TransactionRow> RecordAsync(NewTransaction t, CancellationToken ct)
    {
        var now = time.UtcNow();
        var row = new TransactionRow
        {
            Id = Guid.CreateVersion7(), Type = TransactionLifecycle.Wire(t.Type), Status = TransactionLifecycle.Wire(t.Status),
            OriginAccountId = t.OriginAccountId, DestinationAccountId = t.DestinationAccountId, ExternalDestinationId = t.ExternalDestinationId,
            ReversalOfId = t.ReversalOfId, Amount = t.Amount.Minor, Currency = t.Amount.Currency.Code, Description = t.Description,
            InitiatedBy = t.InitiatedBy, CreatedAt = now, UpdatedAt = now,
        };
        db.Transactions.Add(row);
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>
    /// Applies balance and hold changes, one conditional UPDATE per account in ascending id order, so
    /// that concurrent writers take row locks in the same order and cannot deadlock. A wallet update
    /// only happens while the wallet stays open and keeps <see cref="Finsoft.Ledger.AccountBalance"/>'s rule; the database
    /// checks that in the same statement, so no lost update or double spend can slip between a read
    /// and a write. Returns the id of the first account that refused, or null when all applied.
    /// </summary>
    public async Task<Guid?> ApplyAsync(IEnumerable<AccountChange> changes, CancellationToken ct)
    {
        var now = time.UtcNow();
        var merged = changes
            .GroupBy(c => c.AccountId)
            .Select(g => new AccountChange(g.Key, g.Sum(c => c.BalanceDelta), g.Sum(c => c.HeldDelta)))
            .OrderBy(c => c.AccountId);
        foreach (var change in merged)
        {
            var (id, delta, held) = (change.AccountId, change.BalanceDelta, change.HeldDelta);
            var rows = await db.Accounts
                .Where(a => a.Id == id && a.ClosedAt == null
                    && (a.Kind != AccountKind.Wallet || (a.Held + held >= 0 && a.Balance + delta >= a.Held + held)))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Balance, a => a.Balance + delta)
                    .SetProperty(a => a.Held, a => a.Held + held)
                    .SetProperty(a => a.UpdatedAt, now), ct);
            if (rows == 0)
            {
                return id;
            }
        }
        return null;
    }

    /// <summary>
    /// Posts a balanced entry: moves every balance by its postings (debit-normal accounts rise with
    /// debits, credit-normal ones with credits), applies the hold changes, and appends the entry to
    /// the hash chain. Returns the id of an account that refused, or null.
    /// </summary>
    public async Task<Guid?> PostAsync(Guid transactionId, JournalEntry entry, CancellationToken ct, params AccountChange[] holdChanges)
    {
        var ids = entry.Postings.Select(p => p.AccountId).Distinct().ToList();
        var sides = await accountSides.GetAsync(db, ids, ct);
        if (sides.Count != ids.Count)
        {
            return ids.First(id => !sides.ContainsKey(id));
        }
        var changes = entry.Postings
            .Select(p => new AccountChange(p.AccountId, sides[p.AccountId] == NormalSide.Debit ? p.Amount : checked(-p.Amount)))
            .Concat(holdChanges.Select(h => h with { BalanceDelta = 0 }));
        var refused = await ApplyAsync(changes, ct);
        if (refused is null)
        {
            await AppendAsync(transactionId, entry, ct);
        }
        return refused;
    }

    /// <summary>
    /// Appends to the hash chain. The head row's UPDATE locks it until commit, so appends are
    /// serialised; it is taken last, after every account lock, so it never waits while holding
    /// another lock anyone could want.
    /// </summary>
    private async Task AppendAsync(Guid transactionId, JournalEntry entry, CancellationToken ct)
    {
        await db.LedgerHead.Where(h => h.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(h => h.Sequence, h => h.Sequence + 1), ct);
        var head = await db.LedgerHead.AsNoTracking().SingleAsync(h => h.Id == 1, ct);
        var row = new JournalEntryRow
        {
            Id = Guid.CreateVersion7(),
            Sequence = head.Sequence,
            TransactionId = transactionId,
            CreatedAt = time.UtcNow(),
            PreviousHash = head.LastHash,
            Hash = "",
        };
        row.Hash = EntryHash.Compute(new EntryHash.Content(row.Sequence, row.Id, transactionId, row.CreatedAt, entry.Postings), head.LastHash);
        db.JournalEntries.Add(row);
        db.Postings.AddRange(entry.Postings.Select(p => new PostingRow { EntryId = row.Id, AccountId = p.AccountId, Amount = p.Amount, Currency = p.Currency.Code }));
        await db.SaveChangesAsync(ct);
        await db.LedgerHead.Where(h => h.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(h => h.LastHash, row.Hash), ct);
    }
}
