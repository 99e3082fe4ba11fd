using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Idempotency;

/// <summary>Marks the request body that takes part in an idempotency fingerprint.</summary>
public interface IIdempotentRequest;

/// <summary>
/// The front of the idempotency store for money-moving endpoints. A malformed key is 400. A key whose
/// response is stored is answered here, before the handler checks anything that may have changed since
/// (the same bytes, or 422 for a different request), so a retry always hears the first answer. Otherwise
/// the ticket goes to the handler, whose order carries it into the engine's batch transaction.
/// </summary>
public sealed class IdempotencyKeyFilter(FinsoftDb db) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var body = context.Arguments.OfType<IIdempotentRequest>().FirstOrDefault();
        var (ticket, problem) = IdempotencyTicket.Read(http, CurrentUser.From(http.User).Id, body);
        if (problem is not null)
        {
            return problem;
        }
        if (ticket is not null)
        {
            var stored = await db.IdempotencyKeys.AsNoTracking()
                .FirstOrDefaultAsync(k => k.UserId == ticket.UserId && k.Key == ticket.Key, http.RequestAborted);
            if (stored is not null && (stored.StatusCode is not null || stored.RequestHash != ticket.Fingerprint))
            {
                return IdempotentReplay.Of(stored, ticket.Fingerprint);
            }
            http.Features.Set(ticket);
        }
        return await next(context);
    }
}
