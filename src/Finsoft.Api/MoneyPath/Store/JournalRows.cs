using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>
/// Inserts many transactions, journal entries and postings at once. On PostgreSQL each table takes one
/// `INSERT … SELECT FROM unnest(…)` with an array per column, so a batch of a thousand transfers is
/// four statements (with the events) instead of thousands of rows through the change tracker; SQLite, in process,
/// uses EF's batched inserts.
/// </summary>
public static class JournalRows
{
    public static async Task InsertAsync(FinsoftDb db, IReadOnlyList<TransactionRow> transactions, IReadOnlyList<JournalEntryRow> entries,
        IReadOnlyList<PostingRow> postings, IReadOnlyList<EventRow> events, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            db.Transactions.AddRange(transactions);
            db.JournalEntries.AddRange(entries);
            db.Postings.AddRange(postings);
            db.Events.AddRange(events);
            await db.SaveChangesAsync(ct);
            return;
        }
        if (transactions.Count > 0)
        {
            var t = transactions;
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO transactions (id, type, status, origin_account_id, destination_account_id, external_destination_id, amount, currency,
                    description, initiated_by, reversal_of_id, attempts, held_amount, expires_at, payout_reference, counter_amount, counter_currency,
                    fx_rate, fx_quote_id, fee_amount, review_id, review_status, risk_score, risk_outcome, risk_rules, value_date, created_at, updated_at)
                SELECT * FROM unnest({t.Select(x => x.Id).ToArray()}, {t.Select(x => x.Type).ToArray()}, {t.Select(x => x.Status).ToArray()},
                    {t.Select(x => x.OriginAccountId).ToArray()}, {t.Select(x => x.DestinationAccountId).ToArray()},
                    {t.Select(x => x.ExternalDestinationId).ToArray()}, {t.Select(x => x.Amount).ToArray()}, {t.Select(x => x.Currency).ToArray()},
                    {t.Select(x => x.Description).ToArray()}, {t.Select(x => x.InitiatedBy).ToArray()}, {t.Select(x => x.ReversalOfId).ToArray()},
                    {t.Select(x => x.Attempts).ToArray()}, {t.Select(x => x.HeldAmount).ToArray()}, {t.Select(x => x.ExpiresAt).ToArray()},
                    {t.Select(x => x.PayoutReference).ToArray()}, {t.Select(x => x.CounterAmount).ToArray()}, {t.Select(x => x.CounterCurrency).ToArray()},
                    {t.Select(x => x.FxRate).ToArray()}, {t.Select(x => x.FxQuoteId).ToArray()}, {t.Select(x => x.FeeAmount).ToArray()},
                    {t.Select(x => x.ReviewId).ToArray()}, {t.Select(x => x.ReviewStatus).ToArray()},
                    {t.Select(x => x.RiskScore).ToArray()}, {t.Select(x => x.RiskOutcome).ToArray()}, {t.Select(x => x.RiskRules).ToArray()},
                    {t.Select(x => x.ValueDate).ToArray()}, {t.Select(x => x.CreatedAt).ToArray()},
                    {t.Select(x => x.UpdatedAt).ToArray()})
                """, ct);
        }
        if (entries.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO journal_entries (id, sequence, transaction_id, created_at, effective_at, previous_hash, hash)
                SELECT * FROM unnest({entries.Select(e => e.Id).ToArray()}, {entries.Select(e => e.Sequence).ToArray()},
                    {entries.Select(e => e.TransactionId).ToArray()}, {entries.Select(e => e.CreatedAt).ToArray()},
                    {entries.Select(e => e.EffectiveAt).ToArray()},
                    {entries.Select(e => e.PreviousHash).ToArray()}, {entries.Select(e => e.Hash).ToArray()})
                """, ct);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO postings (entry_id, account_id, amount, currency, effective_at, sequence, transaction_id, created_at)
                SELECT * FROM unnest({postings.Select(p => p.EntryId).ToArray()}, {postings.Select(p => p.AccountId).ToArray()},
                    {postings.Select(p => p.Amount).ToArray()}, {postings.Select(p => p.Currency).ToArray()},
                    {postings.Select(p => p.EffectiveAt).ToArray()}, {postings.Select(p => p.Sequence).ToArray()},
                    {postings.Select(p => p.TransactionId).ToArray()}, {postings.Select(p => p.CreatedAt).ToArray()})
                """, ct);
        }
        if (events.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO events (position, type, occurred_at, origin_account_id, destination_account_id, data)
                SELECT * FROM unnest({events.Select(e => e.Position).ToArray()}, {events.Select(e => e.Type).ToArray()},
                    {events.Select(e => e.OccurredAt).ToArray()}, {events.Select(e => e.OriginAccountId).ToArray()},
                    {events.Select(e => e.DestinationAccountId).ToArray()}, {events.Select(e => e.Data).ToArray()})
                """, ct);
        }
    }
}
