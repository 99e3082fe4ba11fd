using System.Text.Json.Serialization;
using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Idempotency;
using Finsoft.Api.Infrastructure.Ledger;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

public static class Transfer
{
    public sealed record Request(
        Guid? OriginAccountId,
        Guid? DestinationAccountId,
        [property: JsonConverter(typeof(AmountTextConverter))] string? Amount,
        string? Description) : IIdempotentRequest;

    /// <summary>Moves money from one of the caller's wallets to any wallet of the same currency.</summary>
    public static async Task<JsonBody> Handle(Request request, HttpContext http, FinsoftDb db, UnitOfWork work, LedgerStore ledger,
        CancellationToken ct)
    {
        var validation = new Validation().Required("origin_account_id", request.OriginAccountId)
            .Required("destination_account_id", request.DestinationAccountId).Optional("description", request.Description);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var user = CurrentUser.From(http.User);
        var wallets = db.OpenWallets().AsNoTracking();
        var origin = await wallets.FirstOrDefaultAsync(a => a.Id == request.OriginAccountId && a.UserId == user.Id, ct);
        if (origin is null)
        {
            return LedgerError.OriginNotFound.ToProblem();
        }
        var destination = await wallets.FirstOrDefaultAsync(a => a.Id == request.DestinationAccountId, ct);
        if (destination is null)
        {
            return LedgerError.DestinationNotFound.ToProblem();
        }
        if (origin.Id == destination.Id)
        {
            return LedgerError.SameAccount.ToProblem();
        }
        if (origin.Currency != destination.Currency)
        {
            return LedgerError.CurrencyMismatch.ToProblem();
        }
        var currency = Currency.Get(origin.Currency);
        if (validation.Amount("amount", request.Amount, currency) is not { } amount)
        {
            return validation.Result;
        }

        var result = await work.RunAsync<JsonBody>(async ct =>
        {
            var transaction = await ledger.RecordAsync(new NewTransaction(TransactionType.Transfer, TransactionStatus.Completed, amount, user.Id,
                request.Description, OriginAccountId: origin.Id, DestinationAccountId: destination.Id), ct);
            var refused = await ledger.PostAsync(transaction.Id, JournalEntry.Move(origin.Id, destination.Id, amount), ct);
            if (refused is not null)
            {
                return refused == origin.Id ? LedgerError.InsufficientFunds : LedgerError.DestinationNotFound;
            }
            return await http.RespondWithinTransactionAsync(db, ApiResults.Created(await MovementAsync(db, transaction, user, ct)), ct);
        }, ct);
        return result.ToResponse();
    }

    /// <summary>The response body, read inside the transaction so the balances shown are the ones it produced.</summary>
    public static async Task<MovementResponse> MovementAsync(FinsoftDb db, TransactionRow transaction, CurrentUser user, CancellationToken ct, object? external = null)
    {
        var ids = new[] { transaction.OriginAccountId, transaction.DestinationAccountId }.OfType<Guid>().ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        AccountSnapshot? Snapshot(Guid? id) => id is { } key && accounts.TryGetValue(key, out var a)
            ? AccountSnapshot.From(a, showBalance: a.UserId == user.Id || user.IsAdmin)
            : null;
        return MovementResponse.From(transaction, Snapshot(transaction.OriginAccountId), Snapshot(transaction.DestinationAccountId), external);
    }
}
