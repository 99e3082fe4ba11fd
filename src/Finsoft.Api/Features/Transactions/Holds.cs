using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

/// <summary>
/// The second phase of a two-phase transfer. Capture moves the held amount, or less, and releases the
/// whole hold; void releases it. The engine decides either against the hold as locked in its batch, so
/// a hold is settled once, whatever races it (a second call, the expiry).
/// </summary>
public static class Holds
{
    public sealed record CaptureRequest([property: JsonConverter(typeof(AmountTextConverter))] string? Amount = null) : IIdempotentRequest;

    private static readonly string Transfer = TransactionLifecycle.Wire(TransactionType.Transfer);

    public static async Task<JsonBody> Capture(Guid id, CaptureRequest? request, HttpContext http, FinsoftDb db, MoneyEngine engine, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (await FindHoldAsync(db, id, user, ct) is not { } hold)
        {
            return LedgerError.TransactionNotFound.ToProblem();
        }
        Money? captured = null;
        if (request?.Amount is not null)
        {
            var currency = Currency.Get(hold.Currency);
            var validation = new Validation();
            if (validation.Amount("amount", request.Amount, currency) is not { } amount)
            {
                return validation.Result;
            }
            if (amount.Minor > hold.HeldAmount!.Value)
            {
                return validation.Add("amount", $"amount cannot exceed the {Money.Format(hold.HeldAmount.Value, currency)} held.").Result;
            }
            captured = amount;
        }
        return await SubmitAsync(http, user, engine, hold, new MoneyCommand.Capture(hold.Id, captured), ct);
    }

    public static async Task<JsonBody> Void(Guid id, HttpContext http, FinsoftDb db, MoneyEngine engine, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        return await FindHoldAsync(db, id, user, ct) is { } hold
            ? await SubmitAsync(http, user, engine, hold, new MoneyCommand.Release(hold.Id, MoneyCommand.Release.Voided), ct)
            : LedgerError.TransactionNotFound.ToProblem();
    }

    /// <summary>The hold's initiator must still hold the wallet it reserved on (a revoked joint holder may not move it); admins may always.</summary>
    private static Task<JsonBody> SubmitAsync(HttpContext http, CurrentUser user, MoneyEngine engine, TransactionRow hold, MoneyCommand command, CancellationToken ct) =>
        engine.SubmitAsync(new MoneyOrder(command, outcome => Movement.Render(outcome, user, StatusCodes.Status200OK))
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http),
            MustHold = user.IsAdmin ? null : (hold.OriginAccountId!.Value, LedgerError.TransactionNotFound),
        }, ct);

    /// <summary>A two-phase transfer the caller started (or any, for an admin).</summary>
    private static Task<TransactionRow?> FindHoldAsync(FinsoftDb db, Guid id, CurrentUser user, CancellationToken ct) =>
        db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id && t.Type == Transfer && t.HeldAmount != null
            && (user.IsAdmin || t.InitiatedBy == user.Id), ct);
}
