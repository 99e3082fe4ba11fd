using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

/// <summary>
/// The second phase of a two-phase transfer. Capture moves the held amount, or less, and releases the
/// whole hold; void releases it. Either is a conditional move out of PENDING in the transaction that
/// changes the balances, so a hold is settled once, whatever races it (a second call, the expiry).
/// </summary>
public static class Holds
{
    public sealed record CaptureRequest([property: JsonConverter(typeof(AmountTextConverter))] string? Amount = null) : IIdempotentRequest;

    private static readonly string Transfer = TransactionLifecycle.Wire(TransactionType.Transfer);

    public const string VoidedReason = "voided";
    public const string ExpiredReason = "expired";

    public static async Task<JsonBody> Capture(Guid id, CaptureRequest? request, HttpContext http, FinsoftDb db, UnitOfWork work, LedgerStore ledger,
        CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (await FindHoldAsync(db, id, user, ct) is not { } hold)
        {
            return LedgerError.TransactionNotFound.ToProblem();
        }
        var currency = Currency.Get(hold.Currency);
        var held = new Money(hold.HeldAmount!.Value, currency);
        var captured = held;
        if (request?.Amount is not null)
        {
            var validation = new Validation();
            if (validation.Amount("amount", request.Amount, currency) is not { } amount)
            {
                return validation.Result;
            }
            if (amount.Minor > held.Minor)
            {
                return validation.Add("amount", $"amount cannot exceed the {Money.Format(held.Minor, currency)} held.").Result;
            }
            captured = amount;
        }
        var result = await work.RunAsync<JsonBody>(async ct =>
        {
            if (!await ledger.MoveStatusAsync(hold.Id, TransactionStatus.Pending, TransactionStatus.Completed, null, ct,
                    alsoSet: s => s.SetProperty(t => t.Amount, captured.Minor)))
            {
                return LedgerError.HoldAlreadySettled;
            }
            var (origin, destination) = (hold.OriginAccountId!.Value, hold.DestinationAccountId!.Value);
            var refused = await ledger.PostAsync(hold.Id, JournalEntry.Move(origin, destination, captured), ct, new AccountChange(origin, 0, -held.Minor));
            if (refused is not null)
            {
                return refused == destination ? LedgerError.DestinationNotFound : LedgerError.InsufficientFunds;
            }
            var row = await db.Transactions.AsNoTracking().SingleAsync(t => t.Id == hold.Id, ct);
            return await http.RespondWithinTransactionAsync(db, ApiResults.Ok(await Transactions.Transfer.MovementAsync(db, row, user, ct)), ct);
        }, ct);
        return result.ToResponse();
    }

    public static async Task<JsonBody> Void(Guid id, HttpContext http, FinsoftDb db, UnitOfWork work, LedgerStore ledger, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (await FindHoldAsync(db, id, user, ct) is not { } hold)
        {
            return LedgerError.TransactionNotFound.ToProblem();
        }
        var result = await work.RunAsync<JsonBody>(async ct =>
        {
            if (await ReleaseAsync(ledger, hold, VoidedReason, ct) is { } refused)
            {
                return refused;
            }
            var row = await db.Transactions.AsNoTracking().SingleAsync(t => t.Id == hold.Id, ct);
            return await http.RespondWithinTransactionAsync(db, ApiResults.Ok(await Transactions.Transfer.MovementAsync(db, row, user, ct)), ct);
        }, ct);
        return result.ToResponse();
    }

    /// <summary>Ends a pending hold without moving money (FAILED, with the reason); null when done.</summary>
    public static async Task<LedgerError?> ReleaseAsync(LedgerStore ledger, TransactionRow hold, string reason, CancellationToken ct)
    {
        if (!await ledger.MoveStatusAsync(hold.Id, TransactionStatus.Pending, TransactionStatus.Failed, reason, ct))
        {
            return LedgerError.HoldAlreadySettled;
        }
        return await ledger.ApplyAsync([new AccountChange(hold.OriginAccountId!.Value, 0, -hold.HeldAmount!.Value)], ct) is null
            ? null
            : throw new InvalidOperationException($"Releasing hold {hold.Id} was refused: the books no longer match its hold.");
    }

    /// <summary>A two-phase transfer the caller started (or any, for an admin).</summary>
    private static Task<TransactionRow?> FindHoldAsync(FinsoftDb db, Guid id, CurrentUser user, CancellationToken ct) =>
        db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id && t.Type == Transfer && t.HeldAmount != null
            && (user.IsAdmin || t.InitiatedBy == user.Id), ct);
}
