using System.Security.Claims;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Accounts;

/// <summary>
/// An account's floor, set by an admin: a minimum balance that a wallet's available funds may not go
/// below, or an overdraft line for a system account. The planner enforces it on every money movement,
/// holds included (AccountBalance.Apply, against the locked row); the table's CHECK constraints back it.
/// </summary>
public static class AccountLimits
{
    public sealed record Request(
        [property: JsonConverter(typeof(AmountTextConverter))] string? MinimumBalance,
        [property: JsonConverter(typeof(AmountTextConverter))] string? OverdraftLimit);

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var account = await FindAsync(db, id, CurrentUser.From(principal), ct);
        return account is null ? ApiResults.NotFound("Account not found") : ApiResults.Ok(AccountLimitsView.Of(account));
    }

    public static async Task<JsonBody> Put(Guid id, Request request, HttpContext http, FinsoftDb db, MoneyEngine engine, CancellationToken ct)
    {
        var admin = CurrentUser.From(http.User);
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
        // The engine refuses a floor the account does not meet at that moment, so the rule holds at every moment.
        return await engine.SubmitAsync(new MoneyOrder(new MoneyCommand.SetFloor(id, floor), outcome => outcome switch
        {
            MoneyOutcome.Made made => ApiResults.Ok(AccountLimitsView.Of(made.Accounts[id])),
            MoneyOutcome.Refused refused => refused.Error.ToProblem(),
            _ => throw new InvalidOperationException($"Unknown outcome {outcome}"),
        })
        {
            Initiator = admin, Origin = AuditOrigin.From(http),
        }, ct);
    }

    private static Task<AccountRow?> FindAsync(FinsoftDb db, Guid id, CurrentUser user, CancellationToken ct) =>
        db.AccountsVisibleTo(user).FirstOrDefaultAsync(a => a.Id == id && a.ClosedAt == null, ct);
}
