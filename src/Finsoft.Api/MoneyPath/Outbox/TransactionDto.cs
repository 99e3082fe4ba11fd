using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Outbox;

/// <summary>A transaction as the API shows it: in responses, lists and the event feed.</summary>
public sealed record TransactionDto(
    Guid Id, string TransactionType, string Status, string Amount, string Currency, string? Description,
    Guid? OriginAccountId, Guid? DestinationAccountId, Guid? ExternalDestinationAccountId,
    Guid? ReversalOfId, Guid? ReversedById, bool Reversed, string? FailureReason, DateTime CreatedAt, DateTime UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HeldAmount = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? ExpiresAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FxLeg? Fx = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? ReviewId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReviewStatus = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RiskDecision? Risk = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? ValueDate = null)
{
    /// <summary>As staff see it, with monitoring's decision.</summary>
    public static TransactionDto ForStaff(TransactionRow t) => From(t) with { Risk = RiskDecision.Of(t) };

    /// <summary>As a customer, an event or a webhook sees it: without monitoring's judgement, which would tip a suspect off.</summary>
    public static TransactionDto From(TransactionRow t) => new(
        t.Id, t.Type, t.Status, Money.Format(t.Amount, global::Finsoft.Ledger.Currency.Get(t.Currency)), t.Currency, t.Description,
        t.OriginAccountId, t.DestinationAccountId, t.ExternalDestinationId, t.ReversalOfId, t.ReversedById,
        t.ReversedById is not null, t.FailureReason, t.CreatedAt, t.UpdatedAt,
        t.HeldAmount is { } held ? Money.Format(held, global::Finsoft.Ledger.Currency.Get(t.Currency)) : null, t.ExpiresAt, FxLeg.Of(t),
        t.ReviewId, t.ReviewStatus, ValueDate: t.ValueDate);
}

/// <summary>What transaction monitoring decided about a transaction: its score, `allow` or `review`, and the rules that fired (staff only).</summary>
public sealed record RiskDecision(int Score, string Outcome, IReadOnlyList<Finsoft.Ledger.Monitoring.FiredRule> Rules)
{
    public static RiskDecision? Of(TransactionRow t) => t is { RiskScore: { } score, RiskOutcome: { } outcome }
        ? new RiskDecision(score, outcome,
            System.Text.Json.JsonSerializer.Deserialize<List<Finsoft.Ledger.Monitoring.FiredRule>>(t.RiskRules ?? "[]", Infrastructure.Http.Json.Options) ?? [])
        : null;
}

/// <summary>The second currency of a cross-currency transfer: what arrived, at which rate, by which quote.</summary>
public sealed record FxLeg(string Rate, string ToAmount, string ToCurrency, Guid? QuoteId)
{
    public static FxLeg? Of(TransactionRow t) => t is { CounterAmount: { } amount, CounterCurrency: { } currency, FxRate: { } rate }
        ? new FxLeg(rate, Money.Format(amount, global::Finsoft.Ledger.Currency.Get(currency)), currency, t.FxQuoteId)
        : null;
}
