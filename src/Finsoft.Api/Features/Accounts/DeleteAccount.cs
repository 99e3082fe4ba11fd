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
    /// <summary>
    /// Closes the account (its journal history stays). One conditional UPDATE: only an empty account
    /// with nothing on hold closes, so a transfer racing the close can never be stranded in it.
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
            .Where(a => a.Id == id && a.Balance == 0 && a.Held == 0)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClosedAt, now).SetProperty(a => a.UpdatedAt, now), ct);
        return closed == 1 ? ApiResults.Deleted("Account deleted successfully") : LedgerError.AccountNotEmpty.ToProblem();
    }
}
