using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Accounts;

/// <summary>Seed 003: the open wallet with the largest balance in each currency, among those the caller may see (ties: the oldest).</summary>
public static class BiggestAccounts
{
    public static async Task<JsonBody> Handle(ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var visible = db.AccountsVisibleTo(CurrentUser.From(principal)).Where(a => a.Kind == AccountKind.Wallet && a.ClosedAt == null);
        var largest = await visible.GroupBy(a => a.Currency).Select(g => new { Currency = g.Key, Balance = g.Max(a => a.Balance) }).ToListAsync(ct);
        var result = new List<AccountDto>();
        foreach (var top in largest.OrderBy(t => t.Currency, StringComparer.Ordinal))
        {
            var account = await visible.Where(a => a.Currency == top.Currency && a.Balance == top.Balance)
                .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).FirstAsync(ct);
            result.Add(AccountDto.From(account));
        }
        return ApiResults.Ok(result);
    }
}
