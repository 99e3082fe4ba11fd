using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;

namespace Finsoft.Api.Features.Transactions;

public static class Deposit
{
    public sealed record Request(
        Guid? AccountId,
        [property: JsonConverter(typeof(AmountTextConverter))] string? Amount,
        string? Description,
        DateOnly? ValueDate) : IIdempotentRequest;

    /// <summary>
    /// Money arriving from outside: debit the bank settlement account (cash), credit the wallet. A <c>value_date</c> back-dates it
    /// (a correction reaching an earlier period): it counts in the books at that day's end, and is refused if that day is closed.
    /// </summary>
    public static async Task<JsonBody> Handle(Request request, HttpContext http, FinsoftDb db, AccountFacts accounts, MoneyEngine engine, SystemAccounts system,
        TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var validation = new Validation().Required("account_id", request.AccountId).Optional("description", request.Description)
            .ValueDate("value_date", request.ValueDate, time.UtcNow());
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        // What never changes (a wallet, its currency) from the facts cache; whether it is still open the engine decides under lock.
        var facts = await accounts.GetAsync(db, [request.AccountId!.Value], ct);
        if (!facts.TryGetValue(request.AccountId.Value, out var account) || !account.IsWallet)
        {
            return LedgerError.AccountNotFound.ToProblem();
        }
        var currency = Currency.Get(account.Currency);
        if (validation.Amount("amount", request.Amount, currency) is not { } amount)
        {
            return validation.Result;
        }
        var settlement = await system.EnsureAsync(SystemAccounts.BankSettlement, currency, ct);
        return await engine.SubmitAsync(new MoneyOrder(new MoneyCommand.Deposit(settlement, account.Id, amount),
            outcome => Movement.Render(outcome, user, StatusCodes.Status201Created))
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http), Description = request.Description, ValueDate = request.ValueDate,
        }, ct);
    }
}
