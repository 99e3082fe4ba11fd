using System.Text.Json.Serialization;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Transactions;

public static class Transfer
{
    public sealed record Request(
        Guid? OriginAccountId,
        Guid? DestinationAccountId,
        [property: JsonConverter(typeof(AmountTextConverter))] string? Amount,
        string? Description,
        bool? Hold = null,
        DateTime? ExpiresAt = null,
        Guid? QuoteId = null) : IIdempotentRequest;

    /// <summary>
    /// Moves money from one of the caller's wallets to any wallet of the same currency (or, naming a
    /// quote, of another). With `hold`, the funds are only reserved (PENDING) until captured, voided or expired.
    /// </summary>
    public static async Task<JsonBody> Handle(Request request, HttpContext http, FinsoftDb db, AccountFacts accounts, MoneyEngine engine,
        SystemAccounts system, TimeProvider time, IOptions<FinsoftOptions> options, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (order, problem) = request.QuoteId is null
            ? await OrderAsync(request, user, db, accounts, time.UtcNow(), options.Value.Engine, ct)
            : await CrossCurrencyTransfer.OrderAsync(request, user, db, system, ct);
        return problem ?? await engine.SubmitAsync(order! with { Ticket = IdempotencyTicket.Of(http) }, ct);
    }

    /// <summary>Checks a transfer's shape and what cannot change about its accounts; the engine decides the rest under lock.</summary>
    public static async Task<(MoneyOrder? Order, JsonBody? Problem)> OrderAsync(Request request, CurrentUser user, FinsoftDb db,
        AccountFacts accounts, DateTime now, EngineOptions engine, CancellationToken ct)
    {
        var validation = new Validation().Required("origin_account_id", request.OriginAccountId)
            .Required("destination_account_id", request.DestinationAccountId).Optional("description", request.Description);
        if (request.ExpiresAt is not null && request.Hold != true)
        {
            validation.Add("expires_at", "expires_at applies only to a transfer with hold: true.");
        }
        if (request.ExpiresAt is { } expiry && (expiry.ToUniversalTime() <= now || expiry.ToUniversalTime() > now.AddDays(30)))
        {
            validation.Add("expires_at", "expires_at must be in the future and at most 30 days away.");
        }
        if (!validation.IsValid)
        {
            return (null, validation.Result);
        }
        var facts = await accounts.GetAsync(db, [request.OriginAccountId!.Value, request.DestinationAccountId!.Value], ct);
        if (!facts.TryGetValue(request.OriginAccountId.Value, out var origin) || !origin.IsWallet
            || (origin.UserId != user.Id && !await db.HoldsAsync(user.Id, origin.Id, ct)))
        {
            return (null, LedgerError.OriginNotFound.ToProblem());
        }
        if (!facts.TryGetValue(request.DestinationAccountId.Value, out var destination) || !destination.IsWallet)
        {
            return (null, LedgerError.DestinationNotFound.ToProblem());
        }
        if (origin.Id == destination.Id)
        {
            return (null, LedgerError.SameAccount.ToProblem());
        }
        if (origin.Currency != destination.Currency)
        {
            return (null, LedgerError.CurrencyMismatch.ToProblem());
        }
        if (validation.Amount("amount", request.Amount, Currency.Get(origin.Currency)) is not { } amount)
        {
            return (null, validation.Result);
        }
        var hold = request.Hold == true;
        return (new MoneyOrder(new MoneyCommand.Transfer(origin.Id, destination.Id, amount, hold), outcome => Movement.Render(outcome, user, StatusCodes.Status201Created))
        {
            Initiator = user, MustHold = (origin.Id, LedgerError.OriginNotFound), Description = request.Description,
            HoldUntil = hold ? request.ExpiresAt?.ToUniversalTime() ?? now.AddMinutes(engine.DefaultHoldMinutes) : null,
        }, null);
    }
}
