using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Finsoft.Api.MoneyPath.Outbox;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>A journal entry to append, with its transaction and the earlier value date it was back-dated to, if any.</summary>
public readonly record struct StagedEntry(Guid TransactionId, JournalEntry Entry, DateOnly? ValueDate);

/// <summary>The second currency of a cross-currency transfer: what arrives, at which rate, by which quote.</summary>
public sealed record Conversion(Money Received, string Rate, Guid QuoteId);

/// <summary>
/// The only code that changes balances and writes the journal and the outbox. The engine calls it
/// inside its batch transaction, after the planner has decided every change against locked rows.
/// </summary>
public sealed class LedgerStore(FinsoftDb db, TimeProvider time, Periods.FiscalCalendar calendar, Verification.LedgerSeal seal)
{
    /// <summary>
    /// Writes a batch's net balance changes and new floors, each touched account once, in one statement per
    /// row set (a floor and the balances it was judged against change together, so no CHECK ever sees one
    /// without the other). The batch planned them against rows it holds locked; the table's CHECK
    /// constraints still refuse any result that breaks an account's rule, so a planning bug fails the batch
    /// instead of corrupting a balance.
    /// </summary>
    public async Task WriteAccountsAsync(IReadOnlyList<AccountDelta> deltas, IReadOnlyDictionary<Guid, long?> floors, CancellationToken ct)
    {
        var byId = deltas.ToDictionary(d => d.AccountId);
        var rows = deltas.Select(d => d.AccountId).Union(floors.Keys).Order()
            .Select(id => (Id: id, Delta: byId.GetValueOrDefault(id), SetFloor: floors.ContainsKey(id), Floor: floors.GetValueOrDefault(id)))
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }
        var now = time.UtcNow();
        int written;
        if (db.Database.IsNpgsql())
        {
            written = await db.Database.ExecuteSqlAsync($"""
                UPDATE accounts AS a SET balance = a.balance + d.delta, held = a.held + d.held,
                    balance_floor = CASE WHEN d.set_floor THEN d.floor ELSE a.balance_floor END, updated_at = {now}
                FROM unnest({rows.Select(r => r.Id).ToArray()}, {rows.Select(r => r.Delta.Balance).ToArray()}, {rows.Select(r => r.Delta.Held).ToArray()},
                    {rows.Select(r => r.SetFloor).ToArray()}, {rows.Select(r => r.Floor).ToArray()}) AS d(id, delta, held, set_floor, floor)
                WHERE a.id = d.id AND a.closed_at IS NULL
                """, ct);
        }
        else
        {
            written = 0;
            foreach (var r in rows)
            {
                written += await db.Accounts.Where(a => a.Id == r.Id && a.ClosedAt == null).ExecuteUpdateAsync(s =>
                {
                    s.SetProperty(a => a.Balance, a => a.Balance + r.Delta.Balance).SetProperty(a => a.Held, a => a.Held + r.Delta.Held)
                        .SetProperty(a => a.UpdatedAt, now);
                    if (r.SetFloor)
                    {
                        s.SetProperty(a => a.BalanceFloor, r.Floor);
                    }
                }, ct);
            }
        }
        if (written != rows.Count)
        {
            throw new InvalidOperationException($"A batch planned changes to {rows.Count} accounts but {written} could be written.");
        }
    }

    /// <summary>
    /// Inserts new transactions, appends their entries to the hash chain and their events to the outbox,
    /// in order. Moving the head locks it until commit, so appends are serialised and event positions
    /// become visible in the order they were handed out. The engine takes it after every other lock it
    /// needs (what it writes after it are new rows and rows it already holds), so whoever holds the head
    /// waits for nothing but, at most, one single-statement update of a payment's row that a feature's
    /// follow-up also writes (the submission worker storing the provider's reference). A batch takes it
    /// once, and once more for the events of its follow-ups, if any. Entries that were judged against a fiscal calendar
    /// (<paramref name="plannedAgainst"/>) are written only if it is still the one in force under the head's lock.
    /// </summary>
    public async Task AppendAsync(IReadOnlyList<StagedEntry> entries, IReadOnlyList<TransactionRow> newTransactions,
        IReadOnlyList<PendingEvent> events, CancellationToken ct, Periods.FiscalCalendar.Snapshot? plannedAgainst = null)
    {
        var rows = new List<JournalEntryRow>(entries.Count);
        var postings = new List<PostingRow>(entries.Count * 2);
        var eventRows = new List<EventRow>(events.Count);
        (long Sequence, string Hash)? last = null;
        if (entries.Count > 0 || events.Count > 0)
        {
            var (count, eventCount) = (entries.Count, events.Count);
            // One statement moves the head (locking it until commit) and returns it; both databases speak RETURNING.
            var head = (await db.LedgerHead.FromSql(
                    $"UPDATE ledger_head SET sequence = sequence + {count}, event_position = event_position + {eventCount} WHERE id = 1 RETURNING *")
                .AsNoTracking().ToListAsync(ct)).Single();
            if (plannedAgainst is not null && count > 0)
            {
                calendar.Confirm(plannedAgainst, head.PeriodsVersion);
            }
            var now = time.UtcNow();
            var sequence = head.Sequence - count;
            var previous = head.LastHash;
            foreach (var (transactionId, entry, valueDate) in entries)
            {
                var row = new JournalEntryRow
                {
                    Id = Guid.CreateVersion7(), Sequence = ++sequence, TransactionId = transactionId, CreatedAt = now,
                    EffectiveAt = valueDate is { } day ? Clock.EndOf(day) : now, PreviousHash = previous, Hash = "",
                };
                row.Hash = EntryHash.Compute(new EntryHash.Content(row.Sequence, row.Id, transactionId, row.CreatedAt, entry.Postings, row.EffectiveAt), previous);
                previous = row.Hash;
                rows.Add(row);
                postings.AddRange(entry.Postings.Select(p => new PostingRow
                {
                    EntryId = row.Id, AccountId = p.AccountId, Amount = p.Amount, Currency = p.Currency.Code, EffectiveAt = row.EffectiveAt,
                    Sequence = row.Sequence, TransactionId = transactionId, CreatedAt = row.CreatedAt,
                }));
            }
            last = count > 0 ? (sequence, previous) : null;
            var position = head.EventPosition - eventCount;
            eventRows.AddRange(events.Select(e => new EventRow
            {
                Position = ++position, Type = e.Type, OccurredAt = now, OriginAccountId = e.OriginAccountId,
                DestinationAccountId = e.DestinationAccountId, Data = e.Data,
            }));
        }
        await JournalRows.InsertAsync(db, newTransactions, rows, postings, eventRows, ct);
        if (last is { } reached)
        {
            // Sealed with the hash it moves to, in this transaction and under the head's lock, so a chain rewritten behind the API
            // (hashes and all) cannot end at a head that verifies.
            var sealedHead = seal.SealHead(reached.Sequence, reached.Hash);
            await db.LedgerHead.Where(h => h.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(h => h.LastHash, reached.Hash).SetProperty(h => h.Seal, sealedHead), ct);
        }
    }

    /// <summary>
    /// Writes what second-phase commands changed on existing transactions, each only if it is still in
    /// the status the batch read under lock: anything else means the lock did not hold, and fails the batch.
    /// </summary>
    public async Task UpdateTransactionsAsync(IReadOnlyList<(TransactionRow After, string StatusBefore)> changes, CancellationToken ct)
    {
        foreach (var (after, before) in changes)
        {
            var updated = await db.Transactions.Where(t => t.Id == after.Id && t.Status == before).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, after.Status).SetProperty(t => t.FailureReason, after.FailureReason)
                .SetProperty(t => t.Amount, after.Amount).SetProperty(t => t.PayoutReference, after.PayoutReference)
                .SetProperty(t => t.ReversedById, after.ReversedById).SetProperty(t => t.ReviewStatus, after.ReviewStatus)
                .SetProperty(t => t.UpdatedAt, after.UpdatedAt), ct);
            if (updated != 1)
            {
                throw new InvalidOperationException($"Transaction {after.Id} left {before} while the batch held it locked.");
            }
        }
    }

    /// <summary>Marks quotes spent; each was read unspent under lock, and the unique index on transactions backs it up.</summary>
    public async Task SpendQuotesAsync(IReadOnlyList<Guid> quotes, CancellationToken ct)
    {
        var now = time.UtcNow();
        foreach (var id in quotes)
        {
            if (await db.FxQuotes.Where(q => q.Id == id && q.UsedAt == null).ExecuteUpdateAsync(s => s.SetProperty(q => q.UsedAt, now), ct) != 1)
            {
                throw new InvalidOperationException($"Quote {id} was spent while the batch held it locked.");
            }
        }
    }
}
