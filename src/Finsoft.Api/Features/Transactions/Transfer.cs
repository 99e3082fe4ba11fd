using Finsoft.Api.Features.Accounts;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
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
    /// Moves money from one of the caller's wallets to any wallet of the same currency, through the
    /// transfer engine. With `hold`, the funds are only reserved (PENDING) until captured, voided or expired.
    /// </summary>
    public static async Task<JsonBody> Handle(Request request, HttpContext http, FinsoftDb db, AccountFacts accounts, TransferEngine engine,
        TimeProvider time, IOptions<FinsoftOptions> options, IServiceProvider services, CancellationToken ct)
    {
        if (request.QuoteId is not null)
        {
            // Resolved only here, so the engine path (every other transfer) does not build these services per request.
            return await Fx.CrossCurrencyTransfer.HandleAsync(request, http, db, services.GetRequiredService<UnitOfWork>(),
                services.GetRequiredService<LedgerStore>(), services.GetRequiredService<SystemAccounts>(), time, ct);
        }
        var (key, invalidKey) = IdempotencyFilter.ReadKey(http);
        if (invalidKey is not null)
        {
            return invalidKey;
        }
        var user = CurrentUser.From(http.User);
        var order = await OrderAsync(request, user, db, accounts, time.UtcNow(), options.Value.Engine, ct);
        if (order.Problem is not null)
        {
            return order.Problem;
        }
        var ticket = key is null ? null : new IdempotencyTicket(key, IdempotencyFilter.Fingerprint(http, [request]));
        var job = new EngineJob([order.Order! with { Ticket = ticket }], atomic: false);
        return (await engine.SubmitAsync(job, ct))[0];
    }

    /// <summary>Checks a transfer's shape and what cannot change about its accounts; the engine decides the rest under lock.</summary>
    public static async Task<(TransferOrder? Order, JsonBody? Problem)> OrderAsync(Request request, CurrentUser user, FinsoftDb db,
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
        var holdUntil = request.Hold == true ? (request.ExpiresAt?.ToUniversalTime() ?? now.AddMinutes(engine.DefaultHoldMinutes)) : (DateTime?)null;
        return (new TransferOrder(user.Id, origin.Id, destination.Id, amount, request.Description, holdUntil, null,
            outcome => Render(outcome, user)), null);
    }

    private static JsonBody Render(TransferOutcome outcome, CurrentUser user) => outcome switch
    {
        TransferOutcome.Made made => ApiResults.Created(MovementResponse.From(made.Transaction,
            AccountSnapshot.From(made.Origin, showBalance: true), AccountSnapshot.From(made.Destination, ShowsBalance(made.Destination, user)))), // the engine checked the caller holds the origin
        TransferOutcome.Refused refused => refused.Error.ToProblem(),
        _ => throw new InvalidOperationException($"Unknown outcome {outcome}"),
    };

    /// <summary>A counterparty's balance is not the caller's business; its own accounts' (and staff's view) are.</summary>
    private static bool ShowsBalance(AccountRow account, CurrentUser user) => account.UserId == user.Id || user.SeesEveryAccount;

    /// <summary>The response body, read inside the transaction so the balances shown are the ones it produced.</summary>
    public static async Task<MovementResponse> MovementAsync(FinsoftDb db, TransactionRow transaction, CurrentUser user, CancellationToken ct, object? external = null)
    {
        var ids = new[] { transaction.OriginAccountId, transaction.DestinationAccountId }.OfType<Guid>().ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var granted = user.SeesEveryAccount || accounts.Values.All(a => a.UserId == user.Id) ? []
            : await db.AccountGrants.Where(g => g.UserId == user.Id && ids.Contains(g.AccountId)).Select(g => g.AccountId).ToListAsync(ct);
        AccountSnapshot? Snapshot(Guid? id) => id is { } key && accounts.TryGetValue(key, out var a)
            ? AccountSnapshot.From(a, showBalance: granted.Contains(a.Id) || ShowsBalance(a, user))
            : null;
        return MovementResponse.From(transaction, Snapshot(transaction.OriginAccountId), Snapshot(transaction.DestinationAccountId), external);
    }
}
