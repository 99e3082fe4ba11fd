using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;

namespace Finsoft.Api.Features.Transactions;

public sealed record TransactionDto(
    Guid Id, string TransactionType, string Status, string Amount, string Currency, string? Description,
    Guid? OriginAccountId, Guid? DestinationAccountId, Guid? ExternalDestinationAccountId,
    Guid? ReversalOfId, Guid? ReversedById, bool Reversed, string? FailureReason, DateTime CreatedAt, DateTime UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HeldAmount = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? ExpiresAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FxLeg? Fx = null)
{
    public static TransactionDto From(TransactionRow t) => new(
        t.Id, t.Type, t.Status, Money.Format(t.Amount, global::Finsoft.Ledger.Currency.Get(t.Currency)), t.Currency, t.Description,
        t.OriginAccountId, t.DestinationAccountId, t.ExternalDestinationId, t.ReversalOfId, t.ReversedById,
        t.ReversedById is not null, t.FailureReason, t.CreatedAt, t.UpdatedAt,
        t.HeldAmount is { } held ? Money.Format(held, global::Finsoft.Ledger.Currency.Get(t.Currency)) : null, t.ExpiresAt, FxLeg.Of(t));
}

/// <summary>The second currency of a cross-currency transfer: what arrived, at which rate, by which quote.</summary>
public sealed record FxLeg(string Rate, string ToAmount, string ToCurrency, Guid? QuoteId)
{
    public static FxLeg? Of(TransactionRow t) => t is { CounterAmount: { } amount, CounterCurrency: { } currency, FxRate: { } rate }
        ? new FxLeg(rate, Money.Format(amount, global::Finsoft.Ledger.Currency.Get(currency)), currency, t.FxQuoteId)
        : null;
}

/// <summary>An account as shown inside a transaction response. Balances appear only on the caller's own accounts.</summary>
public sealed record AccountSnapshot(
    Guid Id,
    string? Clabe,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Balance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AvailableBalance)
{
    public static AccountSnapshot From(AccountRow account, bool showBalance)
    {
        var currency = global::Finsoft.Ledger.Currency.Get(account.Currency);
        return new AccountSnapshot(account.Id, account.Clabe,
            showBalance ? Money.Format(account.Balance, currency) : null,
            showBalance ? Money.Format(account.Balance - account.Held, currency) : null);
    }
}

/// <summary>The seed-000 response of a money movement: the transaction plus the accounts it touched.</summary>
public sealed record MovementResponse(
    Guid Id, string TransactionType, string Status, string Amount, string Currency, string? Description,
    Guid? OriginAccountId, Guid? DestinationAccountId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AccountSnapshot? OriginAccount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AccountSnapshot? TargetAccount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? DestinationExternalAccount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? ReversalOfId,
    DateTime CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FxLeg? Fx = null)
{
    public static MovementResponse From(TransactionRow t, AccountSnapshot? origin, AccountSnapshot? target, object? external = null) => new(
        t.Id, t.Type, t.Status, Money.Format(t.Amount, global::Finsoft.Ledger.Currency.Get(t.Currency)), t.Currency, t.Description,
        t.OriginAccountId, t.DestinationAccountId, origin, target, external, t.ReversalOfId, t.CreatedAt, t.ExpiresAt, FxLeg.Of(t));
}
