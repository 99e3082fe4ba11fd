using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Accounts;

public static class ListAccounts
{
    /// <summary>The wallets the caller holds; staff may name another user's (`user_id`).</summary>
    public static async Task<JsonBody> Handle([FromQuery(Name = "user_id")] Guid? userId, int? limit, string? cursor, HttpRequest http, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var user = CurrentUser.From(principal);
        var holder = userId is { } other && user.SeesEveryAccount ? other : user.Id;
        return await PageResponse.ReadAsync(db.OpenWallets().HeldBy(db, holder), page, newestFirst: false, http, AccountDto.From, ct);
    }
}

public static class GetAccount
{
    public static async Task<JsonBody> Handle(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var account = await db.FindVisibleAsync(id, CurrentUser.From(principal), ct);
        return account is null ? ApiResults.NotFound("Account not found") : ApiResults.Ok(AccountDto.From(account));
    }
}

public static class AvailableBalance
{
    public sealed record Response(string Amount, string Currency);

    public static async Task<JsonBody> Handle(string? currency, ClaimsPrincipal principal, FinsoftDb db, IOptions<FinsoftOptions> options, CancellationToken ct)
    {
        var chosen = currency is null ? options.Value.DefaultCurrencyValue : Currency.Find(currency);
        if (chosen is null)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["currency"] = ["currency must be an ISO 4217 code."] });
        }
        var user = CurrentUser.From(principal);
        var available = await db.OpenWallets().HeldBy(db, user.Id).Where(a => a.Currency == chosen.Code)
            .Select(a => a.Balance - a.Held).ToListAsync(ct);
        // Summed in checked 64-bit arithmetic here rather than in SQL, so an overflow is an error, not a wrap.
        var total = available.Aggregate(0L, (sum, next) => checked(sum + next));
        return ApiResults.Ok(new Response(Money.Format(total, chosen), chosen.Code));
    }
}
