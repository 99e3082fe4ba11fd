using System.Text.Json;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Ledger;
using Finsoft.Ledger.Monitoring;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Monitoring;

/// <summary>
/// Transaction monitoring inside one batch, before money moves. It watches the transfers, withdrawals and pay-ins people
/// ask for, each judged against its wallet as locked (the paying one; for a pay-in, the one paid into): what the wallet
/// moved that way lately (its hourly counters plus what this batch already let through), its owner's risk level, whether
/// it was dormant and whether the destination is new. A blocked order is refused (422 `risk_blocked`) and kept in
/// `risk_blocks`; one for review is held (a transfer becomes a hold; a withdrawal or pay-in waits before its bank or
/// provider is asked) with a review; every decision is written on its transaction.
/// </summary>
internal sealed class BatchMonitor
{
    private static readonly string Completed = TransactionLifecycle.Wire(TransactionStatus.Completed);

    private readonly RulesInForce _rules;
    private readonly Dictionary<Guid, AccountRow> _accounts;
    private readonly IReadOnlyDictionary<Guid, RiskLevel> _levels;
    private readonly Dictionary<(Guid, string), ActivityWindow> _windows;
    private readonly HashSet<(Guid Origin, Guid Destination)> _paidBefore;
    private readonly DateTime _now;
    private readonly Dictionary<(Guid, string), AccountActivityRow> _added = [];

    public List<RiskBlockRow> Blocked { get; } = [];

    private BatchMonitor(RulesInForce rules, Dictionary<Guid, AccountRow> accounts, IReadOnlyDictionary<Guid, RiskLevel> levels,
        Dictionary<(Guid, string), ActivityWindow> windows, HashSet<(Guid, Guid)> paidBefore, DateTime now) =>
        (_rules, _accounts, _levels, _windows, _paidBefore, _now) = (rules, accounts, levels, windows, paidBefore, now);

    /// <summary>
    /// Whether monitoring looks at this order: a transfer (in one currency or across two), withdrawal or pay-in someone
    /// asked for (the platform's own orders are not).
    /// </summary>
    public static bool Watches(MoneyOrder order) =>
        order.Initiator is not null && order.Command is MoneyCommand.Transfer or MoneyCommand.Convert or MoneyCommand.Withdraw or MoneyCommand.OpenPayIn;

    /// <summary>
    /// Why an order monitoring would hold for review cannot wait and is refused instead; null when it can wait. A
    /// cross-currency transfer spends a quote whose price does not hold while an analyst looks; an atomic job is all or nothing.
    /// </summary>
    public static string? CannotWait(MoneyOrder order, bool atomic) => order.Command is MoneyCommand.Convert
        ? "a cross-currency transfer cannot wait at its quoted rate"
        : atomic ? "an atomic batch cannot wait in part, so send it on its own" : null;

    /// <param name="levels">The risk level of each wallet owner among the orders' payers.</param>
    public static async Task<BatchMonitor> PrepareAsync(FinsoftDb db, RulesInForce rules, IReadOnlyList<MoneyOrder> orders,
        Dictionary<Guid, AccountRow> accounts, IReadOnlyDictionary<Guid, RiskLevel> levels, DateTime now, CancellationToken ct)
    {
        var watched = orders.Where(Watches).ToList();
        var windows = await ActivityWindow.ReadAsync(db, watched.Select(o => Describe(o).Account).Distinct().ToList(), now, ct);
        return new BatchMonitor(rules, accounts, levels, windows, await PaidBeforeAsync(db, rules, watched, ct), now);
    }

    /// <summary>
    /// Judges one order as the batch stands now; null when monitoring does not watch it. An order not blocked counts at
    /// once towards the ones after it, even those of its own job planned with it (an attempt the planner then refuses
    /// still counts here: for velocity, attempts are what matter); the counters written are what was made (<see cref="Count"/>).
    /// </summary>
    public RiskAssessment? Assess(MoneyOrder order)
    {
        if (!Watches(order) || !_accounts.TryGetValue(Describe(order).Account, out var account))
        {
            return null; // an account that does not exist is the planner's to refuse
        }
        var (_, direction, amount, destination) = Describe(order);
        var window = _windows.GetValueOrDefault((account.Id, direction), ActivityWindow.None);
        var quietSince = _now.AddDays(-_rules.Rules.Dormant.Days);
        var amounts = _rules.AmountsIn(amount.Currency);
        var facts = new MovementFacts(amount, account.UserId is { } owner ? _levels.GetValueOrDefault(owner) : RiskLevel.Low, window.MovementsLastHour,
            window.MovementsLastDay, window.AmountLastDay, window.JustUnderLastDay,
            NewDestination: destination is { } paid && !_paidBefore.Contains((account.Id, paid)),
            Dormant: account.UpdatedAt < quietSince && account.CreatedAt < quietSince);
        var risk = TransactionMonitor.Assess(facts, _rules.Rules, amounts);
        if (risk.Outcome != RiskOutcome.Block)
        {
            _windows[(account.Id, direction)] = window.Plus(amount.Minor, amounts.JustUnder(amount.Minor));
        }
        return risk;
    }

    /// <summary>
    /// The order as monitoring lets it go on: carrying its assessment, and held with a review when that was the outcome. A
    /// transfer becomes a hold with no expiry, held until an analyst decides; one its payer asked to hold keeps its expiry,
    /// which does not run while the review is open.
    /// </summary>
    public static MoneyOrder Apply(MoneyOrder order, RiskAssessment risk) => risk.Outcome == RiskOutcome.Review
        ? order with
        {
            Risk = risk,
            Command = order.Command is MoneyCommand.Transfer transfer ? transfer with { Hold = true } : order.Command,
            HoldUntil = order.Command is MoneyCommand.Transfer { Hold: true } ? order.HoldUntil : null,
            ReviewReason = order.ReviewReason ?? $"Transaction monitoring: {risk.Reasons}",
        }
        : order with { Risk = risk };

    /// <summary>
    /// Keeps a blocked order's decision, and the refusal that answers it. <paramref name="cannotWait"/>: the order would have
    /// waited for review, but it cannot (<see cref="CannotWait"/>).
    /// </summary>
    public LedgerError Block(MoneyOrder order, RiskAssessment risk, string? cannotWait = null)
    {
        var (accountId, _, amount, _) = Describe(order);
        var account = _accounts[accountId];
        Blocked.Add(new RiskBlockRow
        {
            Id = Guid.CreateVersion7(), AccountId = account.Id, UserId = account.UserId,
            TransactionType = TransactionLifecycle.Wire(order.Command switch
            {
                MoneyCommand.Withdraw => TransactionType.Withdrawal, MoneyCommand.OpenPayIn => TransactionType.Payment, _ => TransactionType.Transfer,
            }),
            Amount = amount.Minor, Currency = amount.Currency.Code,
            Score = risk.Score, Rules = JsonSerializer.Serialize(risk.Fired, Json.Options), CreatedAt = _now,
        });
        return new LedgerError(LedgerErrorCode.RiskBlocked, cannotWait is not null
            ? $"Transaction monitoring would hold this transfer for review ({risk.Reasons}); {cannotWait}"
            : $"Blocked by transaction monitoring: {risk.Reasons}");
    }

    /// <summary>Adds a watched order the planner made to its account's counters.</summary>
    public void Count(MoneyOrder order)
    {
        if (!Watches(order))
        {
            return;
        }
        var (account, direction, amount, _) = Describe(order);
        var justUnder = _rules.AmountsIn(amount.Currency).JustUnder(amount.Minor);
        var added = _added.GetValueOrDefault((account, direction))
            ?? new AccountActivityRow { AccountId = account, Hour = ActivityWindow.HourOf(_now), Direction = direction };
        (added.Movements, added.Amount, added.JustUnder) = (added.Movements + 1, added.Amount + amount.Minor, added.JustUnder + (justUnder ? 1 : 0));
        _added[(account, direction)] = added;
    }

    /// <summary>Writes the counters and blocked decisions; in the batch's transaction, after the accounts were locked.</summary>
    public async Task WriteAsync(FinsoftDb db, CancellationToken ct)
    {
        await ActivityWindow.AddAsync(db, [.. _added.Values], ct);
        if (Blocked.Count > 0)
        {
            db.RiskBlocks.AddRange(Blocked);
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>How a decision is written on the transaction it let through or held.</summary>
    public static void Stamp(TransactionRow row, RiskAssessment risk)
    {
        row.RiskScore = risk.Score;
        row.RiskOutcome = risk.Outcome == RiskOutcome.Review ? "review" : "allow";
        row.RiskRules = JsonSerializer.Serialize(risk.Fired, Json.Options);
    }

    /// <summary>
    /// The wallet an order is judged on and which way the money goes through it, the amount, and where it goes (none for a
    /// pay-in, which the new-destination rule does not concern).
    /// </summary>
    private static (Guid Account, string Direction, Money Amount, Guid? Destination) Describe(MoneyOrder order) => order.Command switch
    {
        MoneyCommand.Transfer t => (t.OriginId, AccountActivityRow.Out, t.Amount, t.DestinationId),
        MoneyCommand.Convert c => (c.OriginId, AccountActivityRow.Out, c.Sent, c.DestinationId),
        MoneyCommand.Withdraw w => (w.WalletId, AccountActivityRow.Out, w.Amount, order.ExternalDestinationId ?? Guid.Empty),
        MoneyCommand.OpenPayIn p => (p.WalletId, AccountActivityRow.In, p.Amount, null),
        _ => throw new InvalidOperationException($"Monitoring does not watch {order.Command.GetType().Name}."),
    };

    /// <summary>
    /// For the orders large enough for the new-destination rule: which (account, destination) pairs already have a completed
    /// movement. Smaller orders are never asked about, so the usual batch reads nothing here.
    /// </summary>
    private static async Task<HashSet<(Guid, Guid)>> PaidBeforeAsync(FinsoftDb db, RulesInForce rules, List<MoneyOrder> watched, CancellationToken ct)
    {
        var paid = new HashSet<(Guid, Guid)>();
        var asked = new HashSet<(Guid, Guid)>();
        foreach (var order in watched)
        {
            // A pay-in goes nowhere; the rule never fires on a smaller amount; a pair is asked about once a batch.
            if (Describe(order) is not (var origin, _, var amount, { } destination)
                || rules.AmountsIn(amount.Currency).NewDestination is not { } large || amount.Minor < large || !asked.Add((origin, destination)))
            {
                continue;
            }
            var before = order.Command is MoneyCommand.Withdraw
                ? await db.Transactions.AnyAsync(t => t.OriginAccountId == origin && t.ExternalDestinationId == destination && t.Status == Completed, ct)
                : await db.Transactions.AnyAsync(t => t.OriginAccountId == origin && t.DestinationAccountId == destination && t.Status == Completed, ct);
            if (before)
            {
                paid.Add((origin, destination));
            }
        }
        return paid;
    }
}
