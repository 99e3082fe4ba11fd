using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>What a new transaction records; the store stamps its id and times.</summary>
public sealed record NewTransaction(
    TransactionType Type, TransactionStatus Status, Money Amount, Guid InitiatedBy, string? Description,
    Guid? OriginAccountId = null, Guid? DestinationAccountId = null, Guid? ExternalDestinationId = null, Guid? ReversalOfId = null,
    Conversion? Conversion = null);

/// <summary>The second currency of a cross-currency transfer: what arrives, at which rate, by which quote.</summary>
public sealed record Conversion(Money Received, string Rate, Guid QuoteId);

/// <summary>A change to one account row: its balance and the funds it has on hold.</summary>
public readonly record struct AccountChange(Guid AccountId, long BalanceDelta, long HeldDelta = 0);

/// <summary>
/// The only code that changes balances and writes the journal. Every method runs inside the caller's
/// open transaction (see <see cref="UnitOfWork"/>).
/// </summary>
public sealed class LedgerStore(FinsoftDb db, AccountFacts accountFacts, TimeProvider time)
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
            CounterAmount = t.Conversion?.Received.Minor, CounterCurrency = t.Conversion?.Received.Currency.Code,
            FxRate = t.Conversion?.Rate, FxQuoteId = t.Conversion?.QuoteId,
        };
        if (t.Type == TransactionType.Withdrawal)
        {
            row.PayoutReference = row.Id;
        }
        db.Transactions.Add(row);
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>
    /// Moves a transaction's status if, and only if, it is still <paramref name="from"/>: one conditional
    /// UPDATE, so of racing moves (a repeated callback, a capture against a void or the expiry) exactly
    /// one wins. The move must be one the state machine allows. <paramref name="payout"/>, when given,
    /// must be the transaction's current payout reference; <paramref name="alsoSet"/> sets more columns.
    /// </summary>
    public async Task<bool> MoveStatusAsync(Guid id, TransactionStatus from, TransactionStatus to, string? failureReason, CancellationToken ct,
        Guid? payout = null, Action<UpdateSettersBuilder<TransactionRow>>? alsoSet = null)
    {
        var next = TransactionLifecycle.Move(from, to);
        var (fromWire, toWire) = (TransactionLifecycle.Wire(from), TransactionLifecycle.Wire(next.IsSuccess ? next.Value : throw new InvalidOperationException(next.Error!.Message)));
        var now = time.UtcNow();
        var query = db.Transactions.Where(t => t.Id == id && t.Status == fromWire);
        if (payout is { } reference)
        {
            query = query.Where(t => t.PayoutReference == reference);
        }
        return await query.ExecuteUpdateAsync(s =>
        {
            s.SetProperty(t => t.Status, toWire).SetProperty(t => t.FailureReason, failureReason).SetProperty(t => t.UpdatedAt, now);
            alsoSet?.Invoke(s);
        }, ct) == 1;
    }

    /// <summary>
    /// Applies balance and hold changes, one conditional UPDATE per account in ascending id order, so
    /// that concurrent writers take row locks in the same order and cannot deadlock. A wallet update
    /// only happens while the account stays open and keeps <see cref="Finsoft.Ledger.AccountBalance"/>'s rule (holds never
    /// negative, available funds never below the account's floor); the database checks that in the same
    /// statement, so no lost update or double spend can slip between a read and a write. Returns the id of the first account that refused, or null when all applied.
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
                .Where(a => a.Id == id && a.ClosedAt == null && a.Held + held >= 0
                    && (a.BalanceFloor == null || a.Balance + delta - (a.Held + held) >= a.BalanceFloor))
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
        var facts = await accountFacts.GetAsync(db, ids, ct);
        if (facts.Count != ids.Count)
        {
            return ids.First(id => !facts.ContainsKey(id));
        }
        var changes = entry.Postings
            .Select(p => new AccountChange(p.AccountId, facts[p.AccountId].NormalSide == NormalSide.Debit ? p.Amount : checked(-p.Amount)))
            .Concat(holdChanges.Select(h => h with { BalanceDelta = 0 }));
        var refused = await ApplyAsync(changes, ct);
        if (refused is null)
        {
            await AppendAsync(transactionId, entry, ct);
        }
        return refused;
    }

    /// <summary>
    /// Writes a batch's net balance changes, each touched account once. The batch planned them against
    /// rows it holds locked; the table's CHECK constraints still refuse any result that breaks an
    /// account's rule, so a planning bug fails the batch instead of corrupting a balance.
    /// </summary>
    public async Task WriteDeltasAsync(IReadOnlyList<AccountDelta> deltas, CancellationToken ct)
    {
        if (deltas.Count == 0)
        {
            return;
        }
        var now = time.UtcNow();
        int written;
        if (db.Database.IsNpgsql())
        {
            var ids = deltas.Select(d => d.AccountId).ToArray();
            var balances = deltas.Select(d => d.Balance).ToArray();
            var held = deltas.Select(d => d.Held).ToArray();
            written = await db.Database.ExecuteSqlAsync($"""
                UPDATE accounts AS a SET balance = a.balance + d.delta, held = a.held + d.held, updated_at = {now}
                FROM unnest({ids}, {balances}, {held}) AS d(id, delta, held)
                WHERE a.id = d.id AND a.closed_at IS NULL
                """, ct);
        }
        else
        {
            written = 0;
            foreach (var d in deltas)
            {
                written += await db.Accounts.Where(a => a.Id == d.AccountId && a.ClosedAt == null).ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Balance, a => a.Balance + d.Balance)
                    .SetProperty(a => a.Held, a => a.Held + d.Held)
                    .SetProperty(a => a.UpdatedAt, now), ct);
            }
        }
        if (written != deltas.Count)
        {
            throw new InvalidOperationException($"A batch planned changes to {deltas.Count} accounts but {written} could be written.");
        }
    }

    private Task AppendAsync(Guid transactionId, JournalEntry entry, CancellationToken ct) => AppendAsync([(transactionId, entry)], [], ct);

    /// <summary>
    /// Inserts new transactions and appends their entries to the hash chain, in order. Moving the
    /// head's sequence locks it until commit, so appends are serialised; it is taken last, after every
    /// account lock, so it never waits while holding another lock anyone could want. A batch takes it
    /// once for all its entries.
    /// </summary>
    public async Task AppendAsync(IReadOnlyList<(Guid TransactionId, JournalEntry Entry)> entries, IReadOnlyList<TransactionRow> newTransactions,
        CancellationToken ct)
    {
        var rows = new List<JournalEntryRow>(entries.Count);
        var postings = new List<PostingRow>(entries.Count * 2);
        string? last = null;
        if (entries.Count > 0)
        {
            var count = entries.Count;
            // One statement moves the head (locking it until commit) and returns it; both databases speak RETURNING.
            var head = (await db.LedgerHead.FromSql($"UPDATE ledger_head SET sequence = sequence + {count} WHERE id = 1 RETURNING *")
                .AsNoTracking().ToListAsync(ct)).Single();
            var sequence = head.Sequence - count;
            var previous = head.LastHash;
            var now = time.UtcNow();
            foreach (var (transactionId, entry) in entries)
            {
                var row = new JournalEntryRow
                {
                    Id = Guid.CreateVersion7(), Sequence = ++sequence, TransactionId = transactionId, CreatedAt = now, PreviousHash = previous, Hash = "",
                };
                row.Hash = EntryHash.Compute(new EntryHash.Content(row.Sequence, row.Id, transactionId, row.CreatedAt, entry.Postings), previous);
                previous = row.Hash;
                rows.Add(row);
                postings.AddRange(entry.Postings.Select(p => new PostingRow { EntryId = row.Id, AccountId = p.AccountId, Amount = p.Amount, Currency = p.Currency.Code }));
            }
            last = previous;
        }
        await JournalRows.InsertAsync(db, newTransactions, rows, postings, ct);
        if (last is not null)
        {
            await db.LedgerHead.Where(h => h.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(h => h.LastHash, last), ct);
        }
    }
}
