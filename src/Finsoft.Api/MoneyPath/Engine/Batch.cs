using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Periods;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>
/// One batch's running view and its pending writes: the locked rows as the jobs decided so far have
/// left them, and everything to write when the last job is decided.
/// </summary>
internal sealed class Batch(
    Dictionary<Guid, AccountRow> rows, Dictionary<Guid, TransactionRow> subjects, Dictionary<Guid, TransactionState> transactions,
    Dictionary<Guid, bool> usableQuotes, HashSet<(Guid AccountId, Guid UserId)> grants, HashSet<Guid> usersUnderReview, DateTime now,
    FiscalCalendar.Snapshot calendar)
{
    private readonly Dictionary<Guid, (TransactionRow After, string StatusBefore)> _changed = [];

    public DateTime Now { get; } = now;

    public Dictionary<Guid, AccountState> Accounts { get; } = rows.Values.ToDictionary(a => a.Id, LockedRows.StateOf);

    public Dictionary<Guid, TransactionState> Transactions { get; } = transactions;

    public Dictionary<Guid, AccountDelta> Deltas { get; } = [];

    /// <summary>The floor each account ends the batch with, where a command set one.</summary>
    public Dictionary<Guid, long?> Floors { get; } = [];

    public List<StagedEntry> Entries { get; } = [];

    public List<TransactionRow> Created { get; } = [];

    public IReadOnlyList<(TransactionRow After, string StatusBefore)> Changed => [.. _changed.Values];

    public List<PendingEvent> Events { get; } = [];

    public List<Guid> SpentQuotes { get; } = [];

    /// <summary>Reviews opened for transactions held by their orders, written once the transactions are in.</summary>
    public List<ReviewRow> Reviews { get; } = [];

    /// <summary>What features write with the transactions their orders made, once the ledger's rows are in.</summary>
    public List<(MoneyOrder.FollowUp Write, TransactionRow Transaction)> FollowUps { get; } = [];

    /// <summary>Whether the user owns the account or is one of its joint holders.</summary>
    public bool Holds(Guid? user, Guid account) =>
        user is { } id && rows.TryGetValue(account, out var row) && (row.UserId == id || grants.Contains((account, id)));

    /// <summary>Whether the order is asked by, or pays from the wallet of, a user under compliance review.</summary>
    public bool BlockedByReview(MoneyOrder order) =>
        (order.Initiator is { } user && usersUnderReview.Contains(user.Id))
        || (order.Command.Payer(Transactions) is { } payer && OwnerOf(payer) is { } owner && usersUnderReview.Contains(owner));

    /// <summary>The fiscal calendar the batch judges dates against; the head confirms it is still the one in force.</summary>
    public FiscalCalendar.Snapshot Calendar { get; } = calendar;

    /// <summary>Whether some order was refused as dated in a closed period (see <see cref="DatedInClosedPeriod"/>).</summary>
    public bool RefusedForClosedPeriod { get; private set; }

    /// <summary>Whether the order's day (its value date, or today) is closed to it: a closed period takes only its closing entry.</summary>
    public bool DatedInClosedPeriod(MoneyOrder order)
    {
        var closed = order.Command is not MoneyCommand.CloseBooks && Calendar.IsClosed(order.ValueDate ?? DateOnly.FromDateTime(Now));
        RefusedForClosedPeriod |= closed;
        return closed;
    }

    /// <summary>The user whose wallet the account is; none for the platform's own accounts.</summary>
    public Guid? OwnerOf(Guid account) => rows.TryGetValue(account, out var row) ? row.UserId : null;

    /// <summary>The order's command, with what the lock says of the quote it spends.</summary>
    public MoneyCommand WithQuote(MoneyOrder order) => order is { Command: MoneyCommand.Convert convert, Conversion: { } conversion }
        ? convert with { QuoteUsable = usableQuotes.GetValueOrDefault(conversion.QuoteId) && !SpentQuotes.Contains(conversion.QuoteId) }
        : order.Command;

    /// <summary>The transaction as this batch has it now: as locked, or as an earlier order in the batch changed it.</summary>
    public TransactionRow? Subject(Guid id) => _changed.TryGetValue(id, out var changed) ? changed.After : subjects.GetValueOrDefault(id);

    /// <summary>Carries a job's plan into the running state, so later jobs are decided against it.</summary>
    public void Take(BatchPlan plan)
    {
        foreach (var d in plan.Deltas)
        {
            var state = Accounts[d.AccountId];
            Accounts[d.AccountId] = state with { Balance = new AccountBalance(state.Balance.Balance + d.Balance, state.Balance.Held + d.Held) };
            var total = Deltas.GetValueOrDefault(d.AccountId, new AccountDelta(d.AccountId, 0, 0));
            Deltas[d.AccountId] = new AccountDelta(d.AccountId, total.Balance + d.Balance, total.Held + d.Held);
        }
        foreach (var decision in plan.Decisions.OfType<Decision>())
        {
            if (decision.NewFloor is { } floor)
            {
                Accounts[floor.AccountId] = Accounts[floor.AccountId] with { Floor = floor.Floor };
                Floors[floor.AccountId] = floor.Floor;
            }
            foreach (var changed in new[] { decision.Subject, decision.Related }.OfType<TransactionState>())
            {
                Transactions[changed.Id] = changed;
            }
        }
    }

    /// <summary>Stages one applied order's rows, entries and events.</summary>
    public void Stage(Records records, Decision decision)
    {
        if (records.Created is { } created)
        {
            Created.Add(created);
        }
        if (records.Changed is { } changed)
        {
            // The conditional update checks the status the row had when locked, however often the batch changed it.
            var before = _changed.TryGetValue(changed.Id, out var earlier) ? earlier.StatusBefore : subjects[changed.Id].Status;
            _changed[changed.Id] = (changed, before);
        }
        foreach (var entry in decision.Books.Entries)
        {
            Entries.Add(new StagedEntry(records.Transaction!.Id, entry, records.Transaction.ValueDate));
        }
        Events.AddRange(records.Events);
    }

    /// <summary>The outcome of an applied order: its transaction, and the accounts it touched as they stood just after it.</summary>
    public MoneyOutcome.Made Made(MoneyCommand command, TransactionRow? transaction, Decision decision, Guid? initiator)
    {
        var ids = decision.After.Keys.Concat(command.Accounts(Transactions))
            .Concat(new[] { transaction?.OriginAccountId, transaction?.DestinationAccountId }.OfType<Guid>()).Distinct().Where(rows.ContainsKey);
        var accounts = ids.ToDictionary(id => id, id => After(rows[id], decision.After.TryGetValue(id, out var b) ? b : Accounts[id].Balance));
        return new MoneyOutcome.Made(transaction, accounts, accounts.Keys.Where(id => Holds(initiator, id)).ToHashSet());
    }

    private AccountRow After(AccountRow row, AccountBalance balance) => new()
    {
        Id = row.Id, UserId = row.UserId, Kind = row.Kind, SystemCode = row.SystemCode, Clabe = row.Clabe, Currency = row.Currency,
        NormalSide = row.NormalSide, Balance = balance.Balance, Held = balance.Held, BalanceFloor = Accounts[row.Id].Floor,
        CreatedAt = row.CreatedAt, UpdatedAt = Now, ClosedAt = row.ClosedAt,
    };
}

/// <summary>How the engine reads locked rows into the planner's states.</summary>
internal static class LockedRows
{
    public static AccountState StateOf(AccountRow a) => new(a.Id, Currency.Get(a.Currency), a.NormalSide == NormalSide.Debit,
        a.ClosedAt is null, new AccountBalance(a.Balance, a.Held), a.BalanceFloor, a.Kind == AccountKind.Wallet);

    /// <param name="refunded">For a payment: what its refunds not failed add up to, and the fee they returned, read after it was locked.</param>
    public static TransactionState StateOf(TransactionRow t, (long Amount, long Fee) refunded = default) => new(t.Id, TransactionLifecycle.ParseType(t.Type)!.Value,
        TransactionLifecycle.ParseStatus(t.Status)!.Value, t.OriginAccountId, t.DestinationAccountId, new Money(t.Amount, Currency.Get(t.Currency)),
        t.HeldAmount, t.PayoutReference, t.ReversedById is not null, t.FxQuoteId is not null, t.FeeAmount ?? 0, refunded.Amount,
        t.ReversalOfId, refunded.Fee, ReviewOf(t.ReviewStatus), PayerHold: t.HeldAmount is not null && t.ExpiresAt is not null);

    private static ReviewState ReviewOf(string? status) => status switch
    {
        null => ReviewState.None,
        ReviewStatus.Open => ReviewState.Open,
        ReviewStatus.Approved => ReviewState.Approved,
        ReviewStatus.Rejected => ReviewState.Rejected,
        _ => throw new InvalidOperationException($"Unknown review status {status}."),
    };
}
