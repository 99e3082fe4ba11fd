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

    /// <summary>
    /// Closes the account (its journal history stays). One conditional UPDATE: only an empty account
    /// with nothing on hold closes, so a transfer racing the close can never be stranded in it; nor does one
    /// a provider still owes an answer about (a payment it would credit, a refund it might book back).
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
                (t.DestinationAccountId == id || t.OriginAccountId == id) && ProviderTypes.Contains(t.Type) && InFlight.Contains(t.Status)))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClosedAt, now).SetProperty(a => a.UpdatedAt, now), ct);
        if (closed == 1)
        {
            return ApiResults.Deleted("Account deleted successfully");
        }
        var empty = await db.Accounts.AnyAsync(a => a.Id == id && a.Balance == 0 && a.Held == 0, ct);
        return (empty ? ProviderInFlight : LedgerError.AccountNotEmpty).ToProblem();
    }
}
