using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Payments;

/// <summary>
/// What a payment's row says after each step of its ledger transaction, written in the same database
/// transaction as the step (as the engine's follow-up), with the event that announces it. Each update is
/// conditional on the status it moves from, so the row never moves backwards.
/// </summary>
public static class PaymentBook
{
    /// <summary>The payment takes its PAYMENT transaction's id and time (for the response rendered before the row is written, too).</summary>
    public static PaymentRow Stamped(PaymentRow payment, TransactionRow opened)
    {
        payment.Id = opened.Id;
        payment.CreatedAt = payment.UpdatedAt = opened.CreatedAt;
        return payment;
    }

    /// <summary>The payment's own row, under its PAYMENT transaction's id.</summary>
    public static MoneyOrder.FollowUp Open(PaymentRow payment) => async (db, transaction, ct) =>
    {
        db.Payments.Add(Stamped(payment, transaction));
        await db.SaveChangesAsync(ct);
        db.Entry(payment).State = EntityState.Detached; // the engine may run this again on a retried batch
        return [];
    };

    /// <summary>The charge was collected; the provider's id for it is kept too, in case the submission died before storing it.</summary>
    public static MoneyOrder.FollowUp Succeeded(string? providerReference) => async (db, transaction, ct) =>
    {
        await db.Payments.Where(p => p.Id == transaction.Id && p.Status == PaymentStatus.Processing)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, PaymentStatus.Succeeded).SetProperty(p => p.UpdatedAt, transaction.UpdatedAt)
                .SetProperty(p => p.ProviderReference, p => p.ProviderReference ?? providerReference), ct);
        return [await AnnounceAsync(db, EventTypes.PaymentSucceeded, transaction.Id, null, ct)];
    };

    public static MoneyOrder.FollowUp Failed(string reason) => async (db, transaction, ct) =>
    {
        await db.Payments.Where(p => p.Id == transaction.Id && p.Status == PaymentStatus.Processing)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, PaymentStatus.Failed).SetProperty(p => p.FailureReason, reason)
                .SetProperty(p => p.UpdatedAt, transaction.UpdatedAt), ct);
        return [await AnnounceAsync(db, EventTypes.PaymentFailed, transaction.Id, null, ct)];
    };

    /// <summary>The provider paid a refund back: it counts towards the payment, which is refunded once the refunds reach its amount.</summary>
    public static MoneyOrder.FollowUp RefundSucceeded => async (db, refund, ct) =>
    {
        var paymentId = refund.ReversalOfId!.Value;
        await db.Payments.Where(p => p.Id == paymentId && (p.Status == PaymentStatus.Succeeded || p.Status == PaymentStatus.PartiallyRefunded))
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Status, p => p.AmountRefunded + refund.Amount == p.Amount ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded)
                .SetProperty(p => p.AmountRefunded, p => p.AmountRefunded + refund.Amount)
                .SetProperty(p => p.UpdatedAt, refund.UpdatedAt), ct);
        return [await AnnounceAsync(db, EventTypes.PaymentRefunded, paymentId, refund, ct)];
    };

    public static MoneyOrder.FollowUp RefundFailed => async (db, refund, ct) =>
        [await AnnounceAsync(db, EventTypes.PaymentRefundFailed, refund.ReversalOfId!.Value, refund, ct)];

    /// <summary>An event about the payment as it now stands (and the refund it is about), visible to whoever sees its wallet.</summary>
    private static async Task<PendingEvent> AnnounceAsync(FinsoftDb db, string type, Guid paymentId, TransactionRow? refund, CancellationToken ct)
    {
        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == paymentId, ct);
        var data = PaymentDto.From(payment, refund is null ? null : [RefundDto.From(refund)]);
        return new PendingEvent(type, null, payment.AccountId, Json.Serialize(data));
    }
}
