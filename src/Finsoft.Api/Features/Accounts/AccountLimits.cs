using System.Security.Claims;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Accounts;

/// <summary>
/// An account's floor, set by an admin: a minimum balance that a wallet's available funds may not go
/// below, or an overdraft line for a system account. Every money movement enforces it in the same
/// statement that moves the money, holds included (see LedgerStore and the table's CHECK constraint).
/// </summary>
public static class AccountLimits
{
    public sealed record Request(
        [property: JsonConverter(typeof(AmountTextConverter))] string? MinimumBalance,
        [property: JsonConverter(typeof(AmountTextConverter))] string? OverdraftLimit);

    public sealed record Response(Guid AccountId, string Currency, string? MinimumBalance, string? OverdraftLimit, string Available);

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var account = await FindAsync(db, id, CurrentUser.From(principal), ct);
        return account is null ? ApiResults.NotFound("Account not found") : ApiResults.Ok(Describe(account));
    }

    public static async Task<JsonBody> Put(Guid id, Request request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var admin = CurrentUser.From(principal);
        var account = await FindAsync(db, id, admin, ct);
        if (account is null)
        {
            return ApiResults.NotFound("Account not found");
        }
        var currency = Currency.Get(account.Currency);
        var validation = new Validation();
        if (request.MinimumBalance is not null && request.OverdraftLimit is not null)
        {
            return validation.Add("minimum_balance", "Give a minimum_balance or an overdraft_limit, not both.").Result;
        }
        if (request.OverdraftLimit is not null && account.Kind == AccountKind.Wallet)
        {
            return validation.Add("overdraft_limit", "A customer wallet cannot be overdrawn; only system accounts take an overdraft line.").Result;
        }
        long? floor = account.Kind == AccountKind.Wallet ? 0 : null;
        if (request.MinimumBalance is not null)
        {
            floor = validation.Amount("minimum_balance", request.MinimumBalance, currency)?.Minor;
        }
        else if (request.OverdraftLimit is not null)
        {
            floor = validation.Amount("overdraft_limit", request.OverdraftLimit, currency) is { } line ? checked(-line.Minor) : null;
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        // Conditional: a floor the account does not meet right now is refused, so the rule holds at every moment.
        var now = time.UtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var set = await db.Accounts.Where(a => a.Id == id && a.ClosedAt == null && (floor == null || a.Balance - a.Held >= floor))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.BalanceFloor, floor).SetProperty(a => a.UpdatedAt, now), ct);
        if (set == 0)
        {
            return ApiResults.Conflict("The account's available funds are below that floor; it cannot be set now.");
        }
        audit.Add(db, AuditEvents.LimitsChanged, admin.Id, account.UserId, new
        {
            account_id = id, minimum_balance = request.MinimumBalance, overdraft_limit = request.OverdraftLimit,
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return ApiResults.Ok(Describe(await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id, ct)));
    }

    private static Task<AccountRow?> FindAsync(FinsoftDb db, Guid id, CurrentUser user, CancellationToken ct) =>
        db.AccountsVisibleTo(user).FirstOrDefaultAsync(a => a.Id == id && a.ClosedAt == null, ct);

    private static Response Describe(AccountRow a)
    {
        var currency = Currency.Get(a.Currency);
        string? Format(long? minor) => minor is { } m ? Money.Format(m, currency) : null;
        return new Response(a.Id, a.Currency,
            MinimumBalance: a.BalanceFloor is > 0 ? Format(a.BalanceFloor) : null,
            OverdraftLimit: a.BalanceFloor is < 0 ? Format(-a.BalanceFloor) : null,
            Available: Money.Format(a.Balance - a.Held, currency));
    }
}
