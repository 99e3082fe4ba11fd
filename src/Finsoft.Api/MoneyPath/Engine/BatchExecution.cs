using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Finsoft.Api.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>
/// One batch, one database transaction: settle idempotency keys, lock every account the batch touches
/// in ascending id order, let <see cref="BatchPlanner"/> decide each job against the locked rows, then
/// write each touched balance once, every transaction and journal entry, and the responses under their
/// keys, and commit. A deadlock, serialisation failure, busy SQLite or a key another node stored
/// meanwhile rolls everything back and runs the batch again.
/// </summary>
public sealed class BatchExecution(FinsoftDb db, UnitOfWork work, LedgerStore ledger, TimeProvider time, IOptions<FinsoftOptions> options)
{
    private static readonly string Transfer = TransactionLifecycle.Wire(TransactionType.Transfer);

    public async Task<JsonBody[][]> RunAsync(IReadOnlyList<EngineJob> jobs, CancellationToken ct) =>
        (await work.RunAsync<JsonBody[][]>(async ct => await DecideAndWriteAsync(jobs, ct), ct, alsoRetry: DatabaseSetup.IsUniqueViolation)).Value;

    private async Task<JsonBody[][]> DecideAndWriteAsync(IReadOnlyList<EngineJob> jobs, CancellationToken ct)
    {
        var results = jobs.Select(j => new JsonBody?[j.Orders.Count]).ToArray();
        await SettleKeysAsync(jobs, results, ct);

        var ids = jobs.SelectMany((j, n) => j.Orders.Where((_, i) => results[n][i] is null)).SelectMany(o => new[] { o.OriginId, o.DestinationId })
            .Distinct().Order().ToArray();
        var rows = await LockAsync(ids, ct);
        var jointHolders = await JointHoldersAsync(jobs, rows, ct);
        var states = rows.Values.ToDictionary(a => a.Id, State);
        var now = time.UtcNow();
        var entries = new List<(Guid, JournalEntry)>();
        var transactions = new List<TransactionRow>();
        var keys = new List<IdempotencyKeyRow>();
        var deltas = new Dictionary<Guid, AccountDelta>();

        for (var n = 0; n < jobs.Count; n++)
        {
            var job = jobs[n];
            var live = Enumerable.Range(0, job.Orders.Count).Where(i => results[n][i] is null).ToList();
            var outcomes = Decide(job, live, rows, jointHolders, states, now, transactions, entries, deltas);
            foreach (var (i, outcome) in outcomes)
            {
                var order = job.Orders[i];
                var body = order.Render(outcome);
                results[n][i] = body;
                if (order.Ticket is { } ticket)
                {
                    keys.Add(new IdempotencyKeyRow
                    {
                        UserId = order.UserId, Key = ticket.Key, RequestHash = ticket.Fingerprint, ClaimToken = Guid.NewGuid(),
                        ClaimedAt = now, CreatedAt = now, StatusCode = body.StatusCode, ResponseBody = body.Json,
                    });
                }
            }
        }

        db.IdempotencyKeys.AddRange(keys);
        await ledger.WriteDeltasAsync(deltas.Values.Where(d => d.Balance != 0 || d.Held != 0).OrderBy(d => d.AccountId).ToList(), ct);
        await ledger.AppendAsync(entries, transactions, ct);
        await db.SaveChangesAsync(ct); // the idempotency keys
        return results.Select(r => r.Select(b => b!).ToArray()).ToArray();
    }

    /// <summary>
    /// Orders whose key already has a stored response get it again (or 422 for a different request);
    /// a key still claimed by a running request, or repeated within this batch, gets 409.
    /// </summary>
    private async Task SettleKeysAsync(IReadOnlyList<EngineJob> jobs, JsonBody?[][] results, CancellationToken ct)
    {
        var keyed = jobs.SelectMany(j => j.Orders).Where(o => o.Ticket is not null).ToList();
        if (keyed.Count == 0)
        {
            return;
        }
        var users = keyed.Select(o => o.UserId).Distinct().ToList();
        var names = keyed.Select(o => o.Ticket!.Key).Distinct().ToList();
        var stored = (await db.IdempotencyKeys.AsNoTracking().Where(k => users.Contains(k.UserId) && names.Contains(k.Key)).ToListAsync(ct))
            .ToDictionary(k => (k.UserId, k.Key));
        var seen = new HashSet<(Guid, string)>();
        var leaseEnded = time.UtcNow() - TimeSpan.FromSeconds(options.Value.IdempotencyLeaseSeconds);
        for (var n = 0; n < jobs.Count; n++)
        {
            for (var i = 0; i < jobs[n].Orders.Count; i++)
            {
                var order = jobs[n].Orders[i];
                if (order.Ticket is not { } ticket)
                {
                    continue;
                }
                var id = (order.UserId, ticket.Key);
                if (!seen.Add(id))
                {
                    results[n][i] = IdempotentReplay.StillRunning;
                }
                else if (stored.TryGetValue(id, out var existing))
                {
                    results[n][i] = await AbandonedClaimTakenAsync(existing, ticket, leaseEnded, ct) ? null : IdempotentReplay.Of(existing, ticket.Fingerprint);
                }
            }
        }
    }

    /// <summary>
    /// A claim for the same request that a process left unfinished (it died between claiming and
    /// committing) is removed once its lease has run out, so this batch can run the request; the
    /// removal commits with the batch, or not at all.
    /// </summary>
    private async Task<bool> AbandonedClaimTakenAsync(IdempotencyKeyRow existing, IdempotencyTicket ticket, DateTime leaseEnded, CancellationToken ct) =>
        existing.StatusCode is null && existing.RequestHash == ticket.Fingerprint && existing.ClaimedAt < leaseEnded
        && await db.IdempotencyKeys.Where(k => k.UserId == existing.UserId && k.Key == existing.Key && k.ClaimToken == existing.ClaimToken && k.StatusCode == null)
            .ExecuteDeleteAsync(ct) == 1;

    /// <summary>Locks the rows in ascending id order, so batches and single requests never wait on each other in a cycle.</summary>
    private async Task<Dictionary<Guid, AccountRow>> LockAsync(Guid[] ids, CancellationToken ct)
    {
        var query = db.Database.IsNpgsql()
            ? db.Accounts.FromSql($"SELECT * FROM accounts WHERE id = ANY({ids}) ORDER BY id FOR UPDATE")
            : db.Accounts.Where(a => ids.Contains(a.Id)); // BEGIN IMMEDIATE already holds SQLite's single write lock
        return await query.AsNoTracking().ToDictionaryAsync(a => a.Id, ct);
    }

    /// <summary>Grants behind orders from accounts their caller does not own, read in the batch transaction (none to read in the usual case).</summary>
    private async Task<HashSet<(Guid AccountId, Guid UserId)>> JointHoldersAsync(IReadOnlyList<EngineJob> jobs, Dictionary<Guid, AccountRow> rows, CancellationToken ct)
    {
        var foreign = jobs.SelectMany(j => j.Orders)
            .Where(o => rows.TryGetValue(o.OriginId, out var origin) && origin.UserId != o.UserId)
            .Select(o => o.OriginId).Distinct().ToList();
        if (foreign.Count == 0)
        {
            return [];
        }
        var grants = await db.AccountGrants.AsNoTracking().Where(g => foreign.Contains(g.AccountId)).Select(g => new { g.AccountId, g.UserId }).ToListAsync(ct);
        return grants.Select(g => (g.AccountId, g.UserId)).ToHashSet();
    }

    private static AccountState State(AccountRow a) => new(a.Id, Currency.Get(a.Currency), a.NormalSide == NormalSide.Debit,
        a.ClosedAt is null && a.Kind == AccountKind.Wallet, new AccountBalance(a.Balance, a.Held), a.BalanceFloor);

    /// <summary>Decides one job's live orders against the batch's running state, and stages what they write.</summary>
    private List<(int Index, TransferOutcome Outcome)> Decide(EngineJob job, List<int> live, Dictionary<Guid, AccountRow> rows,
        HashSet<(Guid AccountId, Guid UserId)> jointHolders, Dictionary<Guid, AccountState> states, DateTime now, List<TransactionRow> transactions, List<(Guid, JournalEntry)> entries,
        Dictionary<Guid, AccountDelta> deltas)
    {
        var outcomes = new List<(int, TransferOutcome)>();
        var planned = new List<int>();
        foreach (var i in live)
        {
            var order = job.Orders[i];
            var error = !rows.TryGetValue(order.OriginId, out var origin) || origin.Kind != AccountKind.Wallet
                || (origin.UserId != order.UserId && !jointHolders.Contains((origin.Id, order.UserId)))
                ? LedgerError.OriginNotFound
                : !rows.TryGetValue(order.DestinationId, out var destination) || destination.Kind != AccountKind.Wallet ? LedgerError.DestinationNotFound
                : origin.Id == destination.Id ? LedgerError.SameAccount
                : origin.Currency != destination.Currency ? LedgerError.CurrencyMismatch
                : null;
            if (error is null)
            {
                planned.Add(i);
            }
            else
            {
                outcomes.Add((i, new TransferOutcome.Refused(error)));
            }
        }
        if (job.Atomic && outcomes.Count > 0)
        {
            return [.. outcomes, .. planned.Select(i => (i, (TransferOutcome)new TransferOutcome.Refused(LedgerError.BatchAborted)))];
        }

        var commands = planned.Select(i => job.Orders[i]).Select(o => o.IsHold
            ? LedgerCommand.Hold(o.OriginId, o.Amount)
            : LedgerCommand.Transfer(o.OriginId, o.DestinationId, o.Amount)).ToList();
        var touched = planned.SelectMany(i => new[] { job.Orders[i].OriginId, job.Orders[i].DestinationId }).Distinct().Select(id => states[id]);
        var plan = BatchPlanner.Plan(touched, commands, job.Atomic);

        foreach (var d in plan.Deltas)
        {
            var state = states[d.AccountId];
            states[d.AccountId] = state with { Balance = new AccountBalance(state.Balance.Balance + d.Balance, state.Balance.Held + d.Held) };
            var total = deltas.GetValueOrDefault(d.AccountId, new AccountDelta(d.AccountId, 0, 0));
            deltas[d.AccountId] = new AccountDelta(d.AccountId, total.Balance + d.Balance, total.Held + d.Held);
        }
        for (var c = 0; c < planned.Count; c++)
        {
            var order = job.Orders[planned[c]];
            if (plan.Refusals[c] is { } refusal)
            {
                outcomes.Add((planned[c], new TransferOutcome.Refused(Explain(refusal, order))));
                continue;
            }
            var transaction = Record(order, now);
            transactions.Add(transaction);
            if (commands[c].Entry is { } entry)
            {
                entries.Add((transaction.Id, entry));
            }
            outcomes.Add((planned[c], new TransferOutcome.Made(transaction,
                After(rows[order.OriginId], plan.After[c], states), After(rows[order.DestinationId], plan.After[c], states))));
        }
        return outcomes;
    }

    /// <summary>The account row as it stood just after the command (or, if the command left it alone, as the batch has it now).</summary>
    private static AccountRow After(AccountRow row, IReadOnlyDictionary<Guid, AccountBalance> after, Dictionary<Guid, AccountState> states)
    {
        var balance = after.TryGetValue(row.Id, out var b) ? b : states[row.Id].Balance;
        return new AccountRow
        {
            Id = row.Id, UserId = row.UserId, Kind = row.Kind, Clabe = row.Clabe, Currency = row.Currency, NormalSide = row.NormalSide,
            Balance = balance.Balance, Held = balance.Held, BalanceFloor = row.BalanceFloor, CreatedAt = row.CreatedAt, UpdatedAt = row.UpdatedAt,
        };
    }

    /// <summary>A refusal in the words of the API: which side of the transfer refused, and why.</summary>
    private static LedgerError Explain(Refusal refusal, TransferOrder order) => refusal.Error.Code switch
    {
        LedgerErrorCode.AccountNotFound => refusal.AccountId == order.OriginId ? LedgerError.OriginNotFound : LedgerError.DestinationNotFound,
        _ => refusal.Error,
    };

    private static TransactionRow Record(TransferOrder order, DateTime now)
    {
        var row = new TransactionRow
        {
            Id = Guid.CreateVersion7(), Type = Transfer,
            Status = TransactionLifecycle.Wire(order.IsHold ? TransactionStatus.Pending : TransactionStatus.Completed),
            OriginAccountId = order.OriginId, DestinationAccountId = order.DestinationId, Amount = order.Amount.Minor,
            Currency = order.Amount.Currency.Code, Description = order.Description, InitiatedBy = order.UserId,
            HeldAmount = order.IsHold ? order.Amount.Minor : null, ExpiresAt = order.HoldUntil, CreatedAt = now, UpdatedAt = now,
        };
        return row;
    }
}
