using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Accounts;

public static class DeleteAccount
{
    private static readonly string[] ProviderTypes = [TransactionLifecycle.Wire(TransactionType.Payment), TransactionLifecycle.Wire(TransactionType.Refund)];
    private static readonly string[] InFlight = [TransactionLifecycle.Wire(TransactionStatus.Pending), TransactionLifecycle.Wire(TransactionStatus.Processing)];

    private static readonly LedgerError ProviderInFlight = new(LedgerErrorCode.AccountNotEmpty,
        "A payment into the account, or a refund out of it, is still waiting for its provider; close it once that is settled");

    private static readonly LedgerError RepaysLoan = new(LedgerErrorCode.AccountNotEmpty,
        "The account repays a loan that is not paid off; pay the loan off before closing it");

    /// <summary>
    /// Closes the account (its journal history stays). One conditional UPDATE: only an empty account
    /// with nothing on hold closes, so a transfer racing the close can never be stranded in it; nor does one
    /// a provider still owes an answer about (a payment it would credit, a refund it might book back), nor one
    /// a loan's installments are debited from.
    /// </summary>
    public static async Task<JsonBody> Handle(Guid id, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var account = await db.FindVisibleAsync(id, user, ct);
        if (account is null)
        {
            return ApiResults.NotFound("Account not found");
        }
        var now = time.UtcNow();
        var closed = await db.OpenWallets()
            .Where(a => a.Id == id && a.Balance == 0 && a.Held == 0 && !db.Transactions.Any(t =>
                (t.DestinationAccountId == id || t.OriginAccountId == id) && ProviderTypes.Contains(t.Type) && InFlight.Contains(t.Status))
                && !db.Loans.Any(l => l.WalletId == id && l.Status == LoanStatus.Active))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClosedAt, now).SetProperty(a => a.UpdatedAt, now), ct);
        if (closed == 1)
        {
            return ApiResults.Deleted("Account deleted successfully");
        }
        if (await db.Loans.AnyAsync(l => l.WalletId == id && l.Status == LoanStatus.Active, ct))
        {
            return RepaysLoan.ToProblem();
        }
        var empty = await db.Accounts.AnyAsync(a => a.Id == id && a.Balance == 0 && a.Held == 0, ct);
        return (empty ? ProviderInFlight : LedgerError.AccountNotEmpty).ToProblem();
    }
}
