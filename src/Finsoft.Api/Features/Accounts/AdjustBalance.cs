using System.Security.Claims;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Accounts;

public static class AdjustBalance
{
    public sealed record Request(
        [property: System.Text.Json.Serialization.JsonConverter(typeof(AmountTextConverter))] string? Balance,
        string? Description) : IIdempotentRequest;

    /// <summary>
    /// An admin sets a wallet's balance. The balance is never overwritten: the difference is posted
    /// against the adjustments equity account as an ADJUSTMENT transaction.
    /// </summary>
    public static async Task<JsonBody> Handle(Guid id, Request request, HttpContext http, FinsoftDb db, UnitOfWork work,
        LedgerStore ledger, SystemAccounts system, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var account = await db.FindVisibleAsync(id, user, ct);
        if (account is null)
        {
            return ApiResults.NotFound("Account not found");
        }
        var currency = Currency.Get(account.Currency);
        var target = Money.Parse(request.Balance, currency);
        if (!target.IsSuccess || target.Value.Minor < 0)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["balance"] = [target.Error?.Message ?? "balance cannot be negative."] });
        }
        if (new Validation().Optional("description", request.Description) is { IsValid: false } invalid)
        {
            return invalid.Result;
        }
        var adjustments = await system.EnsureAsync(SystemAccounts.Adjustments, currency, ct);

        var result = await work.RunAsync<JsonBody>(async ct =>
        {
            // Lock the wallet first, then read: the difference is computed against a balance nobody else can change.
            var now = time.UtcNow();
            await db.OpenWallets().Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.UpdatedAt, now), ct);
            var current = await db.OpenWallets().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
            if (current is null)
            {
                return LedgerError.AccountNotFound;
            }
            var delta = checked(target.Value.Minor - current.Balance);
            if (delta != 0)
            {
                var amount = new Money(Math.Abs(delta), currency);
                var transaction = await ledger.RecordAsync(new NewTransaction(TransactionType.Adjustment, TransactionStatus.Completed, amount, user.Id,
                    request.Description ?? "Balance adjustment", OriginAccountId: delta < 0 ? id : null, DestinationAccountId: delta > 0 ? id : null), ct);
                var entry = delta > 0 ? JournalEntry.Move(adjustments, id, amount) : JournalEntry.Move(id, adjustments, amount);
                if (await ledger.PostAsync(transaction.Id, entry, ct) is not null)
                {
                    return new LedgerError(LedgerErrorCode.InsufficientFunds, "The balance cannot be set below the funds on hold");
                }
                audit.Add(db, AuditEvents.BalanceAdjusted, user.Id, current.UserId, new
                {
                    account_id = id, transaction_id = transaction.Id, from = Money.Format(current.Balance, currency), to = Money.Format(target.Value.Minor, currency),
                });
                await db.SaveChangesAsync(ct);
            }
            var updated = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id, ct);
            return await http.RespondWithinTransactionAsync(db, ApiResults.Ok(AccountDto.From(updated)), ct);
        }, ct);
        return result.ToResponse();
    }
}
