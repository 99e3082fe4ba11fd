using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

public static class Reverse
{
    /// <summary>
    /// Seed 003: the receiver of a completed transfer (or an admin) sends it back, if the receiver
    /// still has the funds. The original stays COMPLETED and is marked reversed; the reversal is a
    /// transaction of its own. Whether it may be reversed, and only once, the engine decides under lock.
    /// </summary>
    public static async Task<JsonBody> Handle(Guid id, HttpContext http, FinsoftDb db, MoneyEngine engine, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var original = await db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        var receiver = original?.DestinationAccountId;
        if (original is null || !(user.IsAdmin || (receiver is { } account && await db.HoldsAsync(user.Id, account, ct))))
        {
            return LedgerError.TransactionNotFound.ToProblem();
        }
        return await engine.SubmitAsync(new MoneyOrder(new MoneyCommand.Reverse(original.Id), outcome => Movement.Render(outcome, user, StatusCodes.Status201Created))
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http), MustHold = user.IsAdmin ? null : (receiver!.Value, LedgerError.TransactionNotFound),
        }, ct);
    }
}
