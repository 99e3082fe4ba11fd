using System.Text.Json.Serialization;
using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

public static class Deposit
{
    public sealed record Request(
        Guid? AccountId,
        [property: JsonConverter(typeof(AmountTextConverter))] string? Amount,
        string? Description) : IIdempotentRequest;

    /// <summary>Money arriving from outside: debit the bank settlement account (cash), credit the wallet.</summary>
    public static async Task<JsonBody> Handle(Request request, HttpContext http, FinsoftDb db, UnitOfWork work, LedgerStore ledger,
        SystemAccounts system, CancellationToken ct)
    {
        var validation = new Validation().Required("account_id", request.AccountId).Optional("description", request.Description);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var user = CurrentUser.From(http.User);
        var account = await db.OpenWallets().AsNoTracking().FirstOrDefaultAsync(a => a.Id == request.AccountId, ct);
        if (account is null)
        {
            return LedgerError.AccountNotFound.ToProblem();
        }
        var currency = Currency.Get(account.Currency);
        if (validation.Amount("amount", request.Amount, currency) is not { } amount)
        {
            return validation.Result;
        }
        var settlement = await system.EnsureAsync(SystemAccounts.BankSettlement, currency, ct);

        var result = await work.RunAsync<JsonBody>(async ct =>
        {
            var transaction = await ledger.RecordAsync(new NewTransaction(TransactionType.Deposit, TransactionStatus.Completed, amount, user.Id,
                request.Description, DestinationAccountId: account.Id), ct);
            if (await ledger.PostAsync(transaction.Id, JournalEntry.Move(settlement, account.Id, amount), ct) is not null)
            {
                return LedgerError.AccountNotFound;
            }
            return await http.RespondWithinTransactionAsync(db, ApiResults.Created(await Transfer.MovementAsync(db, transaction, user, ct)), ct);
        }, ct);
        return result.ToResponse();
    }
}
