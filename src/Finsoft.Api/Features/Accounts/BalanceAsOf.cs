using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Accounts;

/// <summary>An account's balance at any past moment, summed from the journal.</summary>
public static class BalanceAsOf
{
    public sealed record Response(Guid AccountId, string Currency, string Balance, DateTime AsOf);

    public static async Task<JsonBody> Handle(Guid id, [FromQuery(Name = "as_of")] DateTime? asOf, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var account = await db.AccountsVisibleTo(user).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (account is null)
        {
            return ApiResults.NotFound("Account not found");
        }
        var moment = asOf?.ToUniversalTime() ?? time.UtcNow();
        var balance = await db.BalanceAtAsync(account.Id, account.NormalSide, moment, inclusive: true, ct);
        return ApiResults.Ok(new Response(account.Id, account.Currency, Money.Format(balance, Currency.Get(account.Currency)), moment));
    }
}
