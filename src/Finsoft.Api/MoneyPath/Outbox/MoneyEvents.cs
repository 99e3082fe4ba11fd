using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.MoneyPath.Outbox;

/// <summary>The kinds of event the outbox carries.</summary>
public static class EventTypes
{
    public const string TransactionCreated = "transaction.created";
    public const string TransactionCompleted = "transaction.completed";
    public const string TransactionFailed = "transaction.failed";
    public const string TransactionReversed = "transaction.reversed";
    public const string HoldCreated = "hold.created";
    public const string HoldCaptured = "hold.captured";
    public const string HoldVoided = "hold.voided";
    public const string HoldExpired = "hold.expired";
    public const string WithdrawalSent = "withdrawal.sent";
    public const string WithdrawalRetried = "withdrawal.retried";
    public const string AccountLimitsChanged = "account.limits_changed";
    public const string PaymentSucceeded = "payment.succeeded";
    public const string PaymentFailed = "payment.failed";
    public const string PaymentRefunded = "payment.refunded";
    public const string PaymentRefundFailed = "payment.refund_failed";
    public const string HeldForReview = "transaction.held_for_review";
    public const string ReviewApproved = "transaction.review_approved";
    public const string ReviewRejected = "transaction.review_rejected";
    public const string LoanInstallmentLate = "loan.installment_late";
    public const string LoanClosed = "loan.closed";

    /// <summary>A report job finished (scheduled or asked for): its data is the job, with the link to download its file.</summary>
    public const string ReportCompleted = "report.completed";
    public const string ReportFailed = "report.failed";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        TransactionCreated, TransactionCompleted, TransactionFailed, TransactionReversed, HoldCreated, HoldCaptured, HoldVoided, HoldExpired,
        WithdrawalSent, WithdrawalRetried, AccountLimitsChanged, PaymentSucceeded, PaymentFailed, PaymentRefunded, PaymentRefundFailed,
        HeldForReview, ReviewApproved, ReviewRejected, LoanInstallmentLate, LoanClosed, ReportCompleted, ReportFailed,
    };
}

/// <summary>An event waiting for its position: the store numbers it when it takes the journal head.</summary>
public sealed record PendingEvent(string Type, Guid? OriginAccountId, Guid? DestinationAccountId, string Data)
{
    /// <summary>An event about a transaction; its data is the transaction as the API shows it.</summary>
    public static PendingEvent About(string type, TransactionRow transaction, string? data = null) =>
        new(type, transaction.OriginAccountId, transaction.DestinationAccountId, data ?? Json.Serialize(TransactionDto.From(transaction)));

    /// <summary>
    /// What a transaction's arrival or change says: created with its first state, or moved to a new one.
    /// <paramref name="before"/> is null for a new transaction.
    /// </summary>
    public static IEnumerable<PendingEvent> OfTransaction(TransactionRow after, string? before, string? holdEvent = null)
    {
        var data = Json.Serialize(TransactionDto.From(after));
        if (before is null)
        {
            yield return About(EventTypes.TransactionCreated, after, data);
        }
        if (holdEvent is not null)
        {
            yield return About(holdEvent, after, data);
        }
        if (after.Status != before)
        {
            var reached = after.Status switch
            {
                "COMPLETED" => EventTypes.TransactionCompleted,
                "FAILED" => EventTypes.TransactionFailed,
                _ => null,
            };
            if (reached is not null)
            {
                yield return About(reached, after, data);
            }
        }
    }
}
