using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>What a decided order writes: a new transaction, a change to the one it acted on, and the events that say so.</summary>
public sealed record Records(TransactionRow? Created, TransactionRow? Changed, IReadOnlyList<PendingEvent> Events)
{
    /// <summary>The transaction the order's journal entries belong to, and the one its response shows.</summary>
    public TransactionRow? Transaction => Created ?? Changed;
}

/// <summary>Turns the planner's decision on one order into the rows it records, per kind of command.</summary>
public static class Bookkeeping
{
    private static readonly string Pending = TransactionLifecycle.Wire(TransactionStatus.Pending);
    private static readonly string Completed = TransactionLifecycle.Wire(TransactionStatus.Completed);
    private static readonly string Failed = TransactionLifecycle.Wire(TransactionStatus.Failed);

    /// <param name="subject">The transaction the command acts on, as read under lock (null for commands that start one).</param>
    public static Records Of(MoneyOrder order, Decision decision, TransactionRow? subject, DateTime now)
    {
        switch (order.Command)
        {
            case MoneyCommand.Transfer t:
            {
                var row = New(order, TransactionType.Transfer, t.Hold ? Pending : Completed, t.Amount, t.OriginId, t.DestinationId, now);
                row.HeldAmount = t.Hold ? t.Amount.Minor : null;
                row.ExpiresAt = order.HoldUntil;
                OpenReview(row, order);
                return Created(row, row.ReviewId is not null ? EventTypes.HeldForReview : t.Hold ? EventTypes.HoldCreated : null);
            }
            case MoneyCommand.Deposit d:
                return Created(New(order, TransactionType.Deposit, Completed, d.Amount, null, d.WalletId, now));
            case MoneyCommand.Withdraw w:
            {
                var row = New(order, TransactionType.Withdrawal, Pending, w.Amount, w.WalletId, null, now);
                row.ExternalDestinationId = order.ExternalDestinationId;
                row.PayoutReference = row.Id; // the first attempt's reference; a retry gives a new one
                OpenReview(row, order);
                return Created(row, row.ReviewId is not null ? EventTypes.HeldForReview : null);
            }
            case MoneyCommand.Adjust a:
            {
                if (decision.Books.Entries.Count == 0)
                {
                    return new Records(null, null, []);
                }
                // The wallet is credit-normal: a credit posting on it raises its balance.
                var raised = decision.Books.Entries[0].Postings.Single(p => p.AccountId == a.WalletId).Amount < 0;
                var row = New(order, TransactionType.Adjustment, Completed, decision.Moved!.Value, raised ? null : a.WalletId, raised ? a.WalletId : null, now);
                row.Description ??= "Balance adjustment";
                return Created(row);
            }
            case MoneyCommand.Convert c:
            {
                var row = New(order, TransactionType.Transfer, Completed, c.Sent, c.OriginId, c.DestinationId, now);
                var conversion = order.Conversion!;
                (row.CounterAmount, row.CounterCurrency, row.FxRate, row.FxQuoteId) =
                    (conversion.Received.Minor, conversion.Received.Currency.Code, conversion.Rate, conversion.QuoteId);
                return Created(row);
            }
            case MoneyCommand.Reverse:
            {
                var original = subject!;
                var row = New(order, TransactionType.Reversal, Completed, new Money(original.Amount, Currency.Get(original.Currency)),
                    original.DestinationAccountId, original.OriginAccountId, now);
                row.ReversalOfId = original.Id;
                row.Description = $"Reversal of {original.Id}";
                var marked = Changed(original, now, t => t.ReversedById = row.Id);
                return new Records(row, marked, [.. PendingEvent.OfTransaction(row, null), PendingEvent.About(EventTypes.TransactionReversed, marked)]);
            }
            case MoneyCommand.Capture:
                return Moved(subject!, now, t => (t.Status, t.Amount) = (Completed, decision.Moved!.Value.Minor), EventTypes.HoldCaptured);
            case MoneyCommand.Release r:
                return Moved(subject!, now, t => (t.Status, t.FailureReason) = (Failed, r.Reason),
                    r.Reason == MoneyCommand.Release.Expired ? EventTypes.HoldExpired : EventTypes.HoldVoided);
            case MoneyCommand.SettlePayout:
                return Moved(subject!, now, t => t.Status = Completed);
            case MoneyCommand.RejectPayout r:
                return Moved(subject!, now, t => (t.Status, t.FailureReason) = (Failed, r.Reason));
            case MoneyCommand.RetryPayout r:
            {
                var retried = Changed(subject!, now, t => (t.Status, t.FailureReason, t.PayoutReference) = (Pending, null, r.NewReference));
                return new Records(null, retried, [PendingEvent.About(EventTypes.WithdrawalRetried, retried)]);
            }
            case MoneyCommand.SetFloor:
                return new Records(null, null, []); // the engine announces the account with its new floor
            case MoneyCommand.OpenPayIn p:
            {
                var row = New(order, TransactionType.Payment, Pending, p.Amount, null, p.WalletId, now);
                row.FeeAmount = p.Fee.Minor;
                OpenReview(row, order);
                return Created(row, row.ReviewId is not null ? EventTypes.HeldForReview : null);
            }
            case MoneyCommand.SettlePayIn or MoneyCommand.SettleRefund:
                return Moved(subject!, now, t => t.Status = Completed);
            case MoneyCommand.FailPayIn f:
                return Moved(subject!, now, t => (t.Status, t.FailureReason) = (Failed, f.Reason));
            case MoneyCommand.FailRefund f:
                return Moved(subject!, now, t => (t.Status, t.FailureReason) = (Failed, f.Reason));
            case MoneyCommand.Refund:
            {
                var payment = subject!;
                var row = New(order, TransactionType.Refund, Pending, decision.Refunded!.Value, payment.DestinationAccountId, null, now);
                row.FeeAmount = decision.Moved!.Value.Minor;
                row.ReversalOfId = payment.Id;
                row.Description ??= $"Refund of payment {payment.Id}";
                return Created(row);
            }
            case MoneyCommand.ApproveReview:
                return Moved(subject!, now, t =>
                {
                    t.ReviewStatus = ReviewStatus.Approved;
                    if (decision.Moved is { } captured) // a transfer monitoring held; a payer's own hold stays theirs to capture
                    {
                        (t.Status, t.Amount) = (Completed, captured.Minor);
                    }
                }, EventTypes.ReviewApproved);
            case MoneyCommand.RejectReview r:
                return Moved(subject!, now, t => (t.Status, t.FailureReason, t.ReviewStatus) = (Failed, r.Reason, ReviewStatus.Rejected), EventTypes.ReviewRejected);
            case MoneyCommand.Lend l:
            {
                var row = New(order, TransactionType.Loan, Completed, l.Principal, l.LoanAccountId, l.WalletId, now);
                row.FeeAmount = l.Fee.Minor;
                return Created(row);
            }
            case MoneyCommand.Repay r:
                return Created(New(order, TransactionType.Repayment, Completed, r.Amount, r.WalletId, r.LoanAccountId, now));
            case MoneyCommand.ChargeLoan c:
                return Created(New(order, TransactionType.Charge, Completed, c.Amount, null, c.LoanAccountId, now));
            case MoneyCommand.CloseBooks:
                return Created(New(order, TransactionType.Closing, Completed, decision.Moved!.Value, null, null, now));
            default:
                throw new InvalidOperationException($"{order.Command.GetType().Name} records nothing the engine knows how to write.");
        }
    }

    private static Records Created(TransactionRow row, string? holdEvent = null) => new(row, null, [.. PendingEvent.OfTransaction(row, null, holdEvent)]);

    private static Records Moved(TransactionRow subject, DateTime now, Action<TransactionRow> change, string? holdEvent = null)
    {
        var after = Changed(subject, now, change);
        return new Records(null, after, [.. PendingEvent.OfTransaction(after, subject.Status, holdEvent)]);
    }

    private static TransactionRow Changed(TransactionRow subject, DateTime now, Action<TransactionRow> change)
    {
        var after = subject.Copy();
        change(after);
        after.UpdatedAt = now;
        return after;
    }

    private static TransactionRow New(MoneyOrder order, TransactionType type, string status, Money amount, Guid? origin, Guid? destination, DateTime now)
    {
        var row = new TransactionRow
        {
            Id = Guid.CreateVersion7(), Type = TransactionLifecycle.Wire(type), Status = status, OriginAccountId = origin, DestinationAccountId = destination,
            Amount = amount.Minor, Currency = amount.Currency.Code, Description = order.Description, InitiatedBy = order.InitiatorId,
            CreatedAt = now, UpdatedAt = now, ValueDate = order.ValueDate < DateOnly.FromDateTime(now) ? order.ValueDate : null,
        };
        if (order.Risk is { } risk)
        {
            Monitoring.BatchMonitor.Stamp(row, risk);
        }
        return row;
    }

    /// <summary>
    /// Marks a new transaction held for review when its order says so; only one that waits anyway can be: a two-phase
    /// transfer, a withdrawal before the bank, a pay-in before its provider.
    /// </summary>
    private static void OpenReview(TransactionRow row, MoneyOrder order)
    {
        if (order.ReviewReason is null)
        {
            return;
        }
        if (row.HeldAmount is null && row.Type != TransactionLifecycle.Wire(TransactionType.Withdrawal) && row.Type != TransactionLifecycle.Wire(TransactionType.Payment))
        {
            throw new InvalidOperationException("Only a two-phase transfer, a withdrawal or a pay-in can be held for review.");
        }
        (row.ReviewId, row.ReviewStatus) = (Guid.CreateVersion7(), ReviewStatus.Open);
    }
}
