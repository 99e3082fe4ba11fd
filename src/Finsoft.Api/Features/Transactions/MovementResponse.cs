using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Ledger;

namespace Finsoft.Api.Features.Transactions;

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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FxLeg? Fx = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? ReviewId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReviewStatus = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? ValueDate = null)
{
    public static MovementResponse From(TransactionRow t, AccountSnapshot? origin, AccountSnapshot? target, object? external = null) => new(
        t.Id, t.Type, t.Status, Money.Format(t.Amount, global::Finsoft.Ledger.Currency.Get(t.Currency)), t.Currency, t.Description,
        t.OriginAccountId, t.DestinationAccountId, origin, target, external, t.ReversalOfId, t.CreatedAt, t.ExpiresAt, FxLeg.Of(t), t.ReviewId,
        t.ReviewStatus, t.ValueDate);
}

/// <summary>Renders the engine's outcome of a movement as its response, inside the engine's transaction.</summary>
public static class Movement
{
    public static JsonBody Render(MoneyOutcome outcome, CurrentUser user, int status, object? external = null) => outcome switch
    {
        MoneyOutcome.Made made => new JsonBody(status, Json.Serialize(From(made, user, external))),
        MoneyOutcome.Refused refused => refused.Error.ToProblem(),
        _ => throw new InvalidOperationException($"Unknown outcome {outcome}"),
    };

    private static MovementResponse From(MoneyOutcome.Made made, CurrentUser user, object? external)
    {
        var transaction = made.Transaction!;
        AccountSnapshot? Snapshot(Guid? id) => made.Account(id) is { } a ? AccountSnapshot.From(a, made.ShowsBalanceOf(a, user)) : null;
        return MovementResponse.From(transaction, Snapshot(transaction.OriginAccountId), Snapshot(transaction.DestinationAccountId), external);
    }
}
