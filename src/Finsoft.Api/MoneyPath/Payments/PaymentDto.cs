using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Payments;

/// <summary>The method a payment was made with, as it may be shown.</summary>
public sealed record PaymentMethodSummary(Guid Id, string Type, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Brand, string Last4)
{
    public static PaymentMethodSummary Of(PaymentRow p) => new(p.PaymentMethodId, p.MethodType, p.MethodBrand, p.MethodLast4);
}

/// <summary>A refund of a payment, from its REFUND transaction.</summary>
public sealed record RefundDto(Guid Id, Guid PaymentId, string Status, string Amount, string Currency, string? FailureReason, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>A refund reads as the payment does: processing until its provider answers, then succeeded or failed.</summary>
    public static RefundDto From(TransactionRow t) => new(t.Id, t.ReversalOfId!.Value, t.Status switch
    {
        "COMPLETED" => PaymentStatus.Succeeded,
        "FAILED" => PaymentStatus.Failed,
        _ => PaymentStatus.Processing,
    }, Money.Format(t.Amount, global::Finsoft.Ledger.Currency.Get(t.Currency)), t.Currency, t.FailureReason, t.CreatedAt, t.UpdatedAt);
}

/// <summary>A payment as the API and its events show it.</summary>
public sealed record PaymentDto(
    Guid Id, string Status, string Amount, string Currency, string Fee, string AmountRefunded, string Provider,
    PaymentMethodSummary PaymentMethod, Guid AccountId, string? Description, string? FailureReason, DateTime CreatedAt, DateTime UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RefundDto>? Refunds = null)
{
    public static PaymentDto From(PaymentRow p, IReadOnlyList<RefundDto>? refunds = null)
    {
        var currency = global::Finsoft.Ledger.Currency.Get(p.Currency);
        return new(p.Id, p.Status, Money.Format(p.Amount, currency), p.Currency, Money.Format(p.Fee, currency), Money.Format(p.AmountRefunded, currency),
            p.Provider, PaymentMethodSummary.Of(p), p.AccountId, p.Description, p.FailureReason, p.CreatedAt, p.UpdatedAt, refunds);
    }
}
