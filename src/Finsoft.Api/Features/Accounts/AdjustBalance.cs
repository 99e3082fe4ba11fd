using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;

namespace Finsoft.Api.Features.Accounts;

public static class AdjustBalance
{
    public sealed record Request(
        [property: System.Text.Json.Serialization.JsonConverter(typeof(AmountTextConverter))] string? Balance,
        string? Description,
        DateOnly? ValueDate) : IIdempotentRequest;

    /// <summary>
    /// An admin sets a wallet's balance. The balance is never overwritten: the engine posts the
    /// difference from the balance it holds locked against the adjustments account, as an ADJUSTMENT. A <c>value_date</c>
    /// back-dates the difference into an earlier period that is still open.
    /// </summary>
    public static async Task<JsonBody> Handle(Guid id, Request request, HttpContext http, FinsoftDb db, MoneyEngine engine, SystemAccounts system,
        TimeProvider time, CancellationToken ct)
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
        if (new Validation().Optional("description", request.Description).ValueDate("value_date", request.ValueDate, time.UtcNow()) is { IsValid: false } invalid)
        {
            return invalid.Result;
        }
        var adjustments = await system.EnsureAsync(SystemAccounts.Adjustments, currency, ct);
        return await engine.SubmitAsync(new MoneyOrder(new MoneyCommand.Adjust(id, adjustments, target.Value.Minor), outcome => outcome switch
        {
            MoneyOutcome.Made made => ApiResults.Ok(AccountDto.From(made.Accounts[id])),
            MoneyOutcome.Refused refused => refused.Error.ToProblem(),
            _ => throw new InvalidOperationException($"Unknown outcome {outcome}"),
        })
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http), Description = request.Description, Origin = AuditOrigin.From(http),
            ValueDate = request.ValueDate,
        }, ct);
    }
}
