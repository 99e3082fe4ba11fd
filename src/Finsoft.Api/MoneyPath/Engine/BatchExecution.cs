using Finsoft.Api.Host.Observability;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Monitoring;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Periods;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Finsoft.Ledger.Monitoring;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>
/// One batch, one database transaction: answer keys already used, lock the transactions the orders act
/// on, the quotes they spend and every account they touch (each in ascending id order), let
/// <see cref="BatchPlanner"/> decide each order against the locked rows, then write each touched balance
/// once, the new and changed transactions, journal entries, events and audit records, and the responses
/// under their keys, and commit. A deadlock, serialisation failure, busy SQLite or a key another node
/// stored meanwhile rolls everything back and runs the batch again.
/// </summary>
public sealed class BatchExecution(FinsoftDb db, UnitOfWork work, LedgerStore ledger, IdempotencyStore keys, AuditTrail audit, MonitoringRulesCache monitoring,
    FiscalCalendar calendar, TimeProvider time)
{
    /// <summary>The batch of the latest attempt: once the work has committed, the one that was written.</summary>
    private Batch? _attempt;

    public async Task<JsonBody[][]> RunAsync(IReadOnlyList<EngineJob> jobs, CancellationToken ct)
    {
        var results = (await work.RunAsync<JsonBody[][]>(async ct => await DecideAndWriteAsync(jobs, ct), ct,
            alsoRetry: e => DatabaseSetup.IsUniqueViolation(e) || e is FiscalCalendar.ChangedException)).Value;
        if (_attempt is { } committed)
        {
            FinsoftMetrics.Committed(committed.Created, committed.Changed);
        }
        return results;
    }

    private async Task<JsonBody[][]> DecideAndWriteAsync(IReadOnlyList<EngineJob> jobs, CancellationToken ct)
    {
        var results = jobs.Select(j => new JsonBody?[j.Orders.Count]).ToArray();
        await keys.SettleAsync(jobs, results, ct);
        var live = jobs.SelectMany((j, n) => j.Orders.Where((_, i) => results[n][i] is null)).ToList();

        var subjects = await LockTransactionsAsync(live.SelectMany(o => new[] { o.Command.Subject, o.Command.Related }).OfType<Guid>().Distinct().Order().ToArray(), ct);
        var quotes = await LockQuotesAsync(live.Select(o => o.Conversion?.QuoteId).OfType<Guid>().Distinct().Order().ToArray(), ct);
        var refunded = await RefundedAsync(subjects.Values, ct);
        var transactions = subjects.Values.Select(t => LockedRows.StateOf(t, refunded.GetValueOrDefault(t.Id))).ToDictionary(t => t.Id);
        var ids = live.SelectMany(o => o.Command.Accounts(transactions)).Distinct().Order().ToArray();
        var rows = await LockAccountsAsync(ids, ct);
        var rules = live.Any(BatchMonitor.Watches) ? await monitoring.CurrentAsync(db, ct) : null; // platform-only batches skip it
        var watching = rules?.Rules.Enabled == true;
        var users = await UsersAsync(live, rows, transactions, withRiskLevels: watching, ct);
        var now = time.UtcNow();
        var batch = new Batch(rows, subjects, transactions, quotes, await HoldersAsync(live, rows, transactions, ct), users.UnderReview, now,
            await calendar.CurrentAsync(db, ct));
        _attempt = batch;
        var monitor = watching ? await BatchMonitor.PrepareAsync(db, rules!, live, rows, users.Levels, now, ct) : null;

        for (var n = 0; n < jobs.Count; n++)
        {
            foreach (var (i, outcome) in Decide(jobs[n], results[n], batch, monitor))
            {
                var order = jobs[n].Orders[i];
                var body = order.Render(outcome);
                results[n][i] = body;
                if (order.Ticket is { } ticket)
                {
                    keys.Stage(ticket, body, batch.Now);
                }
            }
        }

        if (batch.RefusedForClosedPeriod)
        {
            // A refusal must not rest on a calendar another node has since reopened; a close is caught when the head is taken.
            calendar.Confirm(batch.Calendar, await db.LedgerHead.AsNoTracking().Where(h => h.Id == 1).Select(h => h.PeriodsVersion).SingleAsync(ct));
        }
        await ledger.WriteAccountsAsync(batch.Deltas.Values.Where(d => d.Balance != 0 || d.Held != 0).ToList(), batch.Floors, ct);
        await ledger.SpendQuotesAsync(batch.SpentQuotes, ct);
        await db.SaveChangesAsync(ct); // idempotency keys and audit records
        // The head last: after it only new rows and rows this batch already holds are written.
        await ledger.AppendAsync(batch.Entries, batch.Created, batch.Events, ct, plannedAgainst: batch.Calendar);
        await ledger.UpdateTransactionsAsync(batch.Changed, ct); // after the inserts: a reversal's original points at the new row
        if (monitor is not null)
        {
            await monitor.WriteAsync(db, ct);
        }
        if (batch.Reviews.Count > 0)
        {
            db.Reviews.AddRange(batch.Reviews);
            await db.SaveChangesAsync(ct);
        }
        await FollowUpAsync(batch, ct);
        return results.Select(r => r.Select(b => b!).ToArray()).ToArray();
    }

    /// <summary>
    /// Decides one job's live orders against the batch's running state, and stages what they write. Monitoring judges
    /// each order before the planner; the order it lets go on (held for review, or as asked) is the one planned.
    /// </summary>
    private List<(int Index, MoneyOutcome Outcome)> Decide(EngineJob job, JsonBody?[] results, Batch batch, BatchMonitor? monitor)
    {
        var outcomes = new List<(int, MoneyOutcome)>();
        var planned = new List<int>();
        var orders = job.Orders.ToArray();
        for (var i = 0; i < orders.Length; i++)
        {
            var order = orders[i];
            if (results[i] is not null)
            {
                continue;
            }
            if (order.MustHold is { } must && !batch.Holds(order.Initiator?.Id, must.AccountId))
            {
                outcomes.Add((i, new MoneyOutcome.Refused(must.Otherwise)));
            }
            else if (batch.DatedInClosedPeriod(order))
            {
                outcomes.Add((i, new MoneyOutcome.Refused(LedgerError.PeriodClosed)));
            }
            else if (batch.BlockedByReview(order))
            {
                outcomes.Add((i, new MoneyOutcome.Refused(LedgerError.ComplianceReview)));
            }
            else if (monitor?.Assess(order) is { } risk)
            {
                var cannotWait = risk.Outcome == RiskOutcome.Review ? BatchMonitor.CannotWait(order, job.Atomic) : null;
                if (risk.Outcome == RiskOutcome.Block || cannotWait is not null)
                {
                    outcomes.Add((i, new MoneyOutcome.Refused(monitor.Block(order, risk, cannotWait))));
                    continue;
                }
                orders[i] = BatchMonitor.Apply(order, risk);
                planned.Add(i);
            }
            else
            {
                planned.Add(i);
            }
        }
        if (job.Atomic && outcomes.Count > 0)
        {
            return [.. outcomes, .. planned.Select(i => (i, (MoneyOutcome)new MoneyOutcome.Refused(LedgerError.BatchAborted)))];
        }

        var commands = planned.Select(i => batch.WithQuote(orders[i])).ToList();
        var touched = commands.SelectMany(c => c.Accounts(batch.Transactions)).Distinct().Where(batch.Accounts.ContainsKey).Select(id => batch.Accounts[id]);
        var plan = BatchPlanner.Plan(touched, batch.Transactions.Values, commands, job.Atomic);
        batch.Take(plan);
        for (var c = 0; c < planned.Count; c++)
        {
            var order = orders[planned[c]];
            if (plan.Decisions[c] is { } decision)
            {
                monitor?.Count(order);
                outcomes.Add((planned[c], Record(order, decision, batch)));
            }
            else
            {
                outcomes.Add((planned[c], new MoneyOutcome.Refused(plan.Refusals[c]!.Error)));
            }
        }
        return outcomes;
    }

    /// <summary>Stages what one applied order writes, and describes it for its response.</summary>
    private MoneyOutcome Record(MoneyOrder order, Decision decision, Batch batch)
    {
        var subject = order.Command.Subject is { } id ? batch.Subject(id) : null;
        var records = Bookkeeping.Of(order, decision, subject, batch.Now);
        batch.Stage(records, decision);
        if (order.Conversion is { } conversion)
        {
            batch.SpentQuotes.Add(conversion.QuoteId);
        }
        if (records.Created is { ReviewId: { } reviewId } held)
        {
            var wallet = held.OriginAccountId ?? held.DestinationAccountId!.Value; // a pay-in's wallet is its destination
            batch.Reviews.Add(new ReviewRow
            {
                Id = reviewId, Kind = ReviewKind.Transaction, Status = ReviewStatus.Open, UserId = batch.OwnerOf(wallet),
                Reason = order.ReviewReason!, TransactionId = held.Id, CreatedAt = batch.Now,
            });
        }
        if (order.Then is { } then && records.Transaction is { } transaction)
        {
            batch.FollowUps.Add((then, transaction));
        }
        var made = batch.Made(order.Command, records.Transaction, decision, order.Initiator?.Id);
        switch (order.Command)
        {
            case MoneyCommand.Adjust adjust when records.Created is { } adjustment:
                var wallet = made.Accounts[adjust.WalletId];
                var currency = Currency.Get(wallet.Currency);
                var before = adjustment.DestinationAccountId == wallet.Id ? wallet.Balance - adjustment.Amount : wallet.Balance + adjustment.Amount;
                audit.Add(db, AuditEvents.BalanceAdjusted, order.Initiator?.Id, wallet.UserId, new
                {
                    account_id = wallet.Id, transaction_id = adjustment.Id,
                    from = Money.Format(before, currency), to = Money.Format(wallet.Balance, currency),
                }, order.Origin);
                break;
            case MoneyCommand.SetFloor floor:
                var account = made.Accounts[floor.AccountId];
                var view = AccountLimitsView.Of(account);
                audit.Add(db, AuditEvents.LimitsChanged, order.Initiator?.Id, account.UserId,
                    new { account_id = account.Id, minimum_balance = view.MinimumBalance, overdraft_limit = view.OverdraftLimit }, order.Origin);
                batch.Events.Add(new PendingEvent(EventTypes.AccountLimitsChanged, account.Id, null, Json.Serialize(view)));
                break;
        }
        return made;
    }

    /// <summary>The features' own rows that go with the transactions made, and their events, after the ledger's (which they may refer to).</summary>
    private async Task FollowUpAsync(Batch batch, CancellationToken ct)
    {
        var events = new List<PendingEvent>();
        foreach (var (write, transaction) in batch.FollowUps)
        {
            events.AddRange(await write(db, transaction, ct));
        }
        if (events.Count > 0)
        {
            await ledger.AppendAsync([], [], events, ct);
        }
    }

    /// <summary>
    /// For each payment locked: what its refunds not failed add up to, and the fee they returned. Every refund
    /// and every failed refund locks its payment first, so the sums read now hold until the batch commits.
    /// </summary>
    private async Task<Dictionary<Guid, (long Amount, long Fee)>> RefundedAsync(IEnumerable<TransactionRow> subjects, CancellationToken ct)
    {
        var payments = subjects.Where(t => t.Type == PaymentType).Select(t => (Guid?)t.Id).ToArray();
        if (payments.Length == 0)
        {
            return [];
        }
        var sums = await db.Transactions.AsNoTracking()
            .Where(t => t.Type == RefundType && t.Status != FailedStatus && payments.Contains(t.ReversalOfId))
            .GroupBy(t => t.ReversalOfId)
            .Select(g => new { Payment = g.Key!.Value, Refunded = g.Sum(t => t.Amount), Fee = g.Sum(t => t.FeeAmount ?? 0) }).ToListAsync(ct);
        return sums.ToDictionary(s => s.Payment, s => (s.Refunded, s.Fee));
    }

    private static readonly string PaymentType = TransactionLifecycle.Wire(TransactionType.Payment);
    private static readonly string RefundType = TransactionLifecycle.Wire(TransactionType.Refund);
    private static readonly string FailedStatus = TransactionLifecycle.Wire(TransactionStatus.Failed);

    /// <summary>The transactions orders act on, locked in ascending id order before any account.</summary>
    private async Task<Dictionary<Guid, TransactionRow>> LockTransactionsAsync(Guid[] ids, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }
        var query = db.Database.IsNpgsql()
            ? db.Transactions.FromSql($"SELECT * FROM transactions WHERE id = ANY({ids}) ORDER BY id FOR UPDATE")
            : db.Transactions.Where(t => ids.Contains(t.Id)); // BEGIN IMMEDIATE already holds SQLite's single write lock
        return await query.AsNoTracking().ToDictionaryAsync(t => t.Id, ct);
    }

    /// <summary>Quotes cross-currency orders spend, locked so a quote pays out once; usable means unspent and unexpired.</summary>
    private async Task<Dictionary<Guid, bool>> LockQuotesAsync(Guid[] ids, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }
        var query = db.Database.IsNpgsql()
            ? db.FxQuotes.FromSql($"SELECT * FROM fx_quotes WHERE id = ANY({ids}) ORDER BY id FOR UPDATE")
            : db.FxQuotes.Where(q => ids.Contains(q.Id));
        var now = time.UtcNow();
        return await query.AsNoTracking().ToDictionaryAsync(q => q.Id, q => q.UsedAt == null && q.ExpiresAt > now, ct);
    }

    /// <summary>Locks the rows in ascending id order, so batches never wait on each other in a cycle.</summary>
    private async Task<Dictionary<Guid, AccountRow>> LockAccountsAsync(Guid[] ids, CancellationToken ct)
    {
        var query = db.Database.IsNpgsql()
            ? db.Accounts.FromSql($"SELECT * FROM accounts WHERE id = ANY({ids}) ORDER BY id FOR UPDATE")
            : db.Accounts.Where(a => ids.Contains(a.Id));
        return await query.AsNoTracking().ToDictionaryAsync(a => a.Id, ct);
    }

    /// <summary>
    /// Who among the orders' initiators and the holders of the wallets they pay from is under compliance review, and,
    /// when monitoring watches the batch, each one's risk level; read in the batch transaction (without levels, a
    /// partial index keeps the read to the few under review).
    /// </summary>
    private async Task<(HashSet<Guid> UnderReview, Dictionary<Guid, RiskLevel> Levels)> UsersAsync(List<MoneyOrder> orders, Dictionary<Guid, AccountRow> rows,
        Dictionary<Guid, TransactionState> transactions, bool withRiskLevels, CancellationToken ct)
    {
        var users = new HashSet<Guid>();
        foreach (var order in orders)
        {
            if (order.Initiator is { } user)
            {
                users.Add(user.Id);
            }
            if (order.Command.Payer(transactions) is { } payer && rows.TryGetValue(payer, out var wallet) && wallet.UserId is { } owner)
            {
                users.Add(owner);
            }
        }
        if (users.Count == 0)
        {
            return ([], []);
        }
        var ids = users.ToArray();
        if (!withRiskLevels)
        {
            return ([.. await db.Users.AsNoTracking().Where(u => u.ComplianceHold && ids.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct)], []);
        }
        var facts = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.ComplianceHold, u.RiskLevel }).ToListAsync(ct);
        return ([.. facts.Where(u => u.ComplianceHold).Select(u => u.Id)], facts.ToDictionary(u => u.Id, u => CustomerRiskLevels.Parse(u.RiskLevel)));
    }

    /// <summary>
    /// Joint holders of the accounts orders touch, read in the batch transaction: for the account an order
    /// must hold, whoever asks (staff too may be granted a wallet), and for the accounts a customer's
    /// response shows. A batch of transfers from the payers' own wallets reads nothing.
    /// </summary>
    private async Task<HashSet<(Guid AccountId, Guid UserId)>> HoldersAsync(List<MoneyOrder> orders, Dictionary<Guid, AccountRow> rows,
        Dictionary<Guid, TransactionState> transactions, CancellationToken ct)
    {
        var asked = new HashSet<(Guid AccountId, Guid UserId)>();
        foreach (var order in orders.Where(o => o.Initiator is not null))
        {
            var user = order.Initiator!;
            // A plain transfer's response shows only its origin's balance, which MustHold already asks about.
            var shown = user.SeesEveryAccount || order.Command is MoneyCommand.Transfer ? [] : order.Command.Accounts(transactions);
            foreach (var id in shown.Concat(order.MustHold is { } must ? [must.AccountId] : []))
            {
                if (rows.TryGetValue(id, out var row) && row.Kind == AccountKind.Wallet && row.UserId != user.Id)
                {
                    asked.Add((id, user.Id));
                }
            }
        }
        if (asked.Count == 0)
        {
            return [];
        }
        var accountIds = asked.Select(a => a.AccountId).Distinct().ToList();
        var users = asked.Select(a => a.UserId).Distinct().ToList();
        var grants = await db.AccountGrants.AsNoTracking().Where(g => accountIds.Contains(g.AccountId) && users.Contains(g.UserId))
            .Select(g => new { g.AccountId, g.UserId }).ToListAsync(ct);
        return grants.Select(g => (g.AccountId, g.UserId)).ToHashSet();
    }
}
