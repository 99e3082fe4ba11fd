using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Idempotency;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.AdminConsole;

/// <summary>
/// A console form that moves money carries an idempotency key drawn with the form. As the API's <see cref="IdempotencyKeyFilter"/>
/// does for an <c>Idempotency-Key</c> header, a key whose answer is stored is answered from it before the handler checks
/// anything (a double click or a resent form hears the first answer; the key reused for another action or amount is 422);
/// otherwise the handler gets the ticket, and the engine records the answer under it.
/// </summary>
public static class MoneyActions
{
    public static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// A money form's whole round: its key (a stored answer is replayed), else the API's handler. Null when the form's key is
    /// missing or malformed (the form is drawn again).
    /// </summary>
    public static async Task<JsonBody?> RunAsync(HttpContext http, FinsoftDb db, string? key, string operation, object? body,
        Func<Task<JsonBody>> handler, CancellationToken ct)
    {
        var use = await UseKeyAsync(http, db, key, operation, body, ct);
        if (!use.Usable)
        {
            return null;
        }
        var answer = use.Replayed ?? await handler();
        db.ChangeTracker.Clear(); // what the handler tracked is not what the page shows next
        return answer;
    }

    private sealed record Use(bool Usable, JsonBody? Replayed);

    private static async Task<Use> UseKeyAsync(HttpContext http, FinsoftDb db, string? key, string operation, object? body, CancellationToken ct)
    {
        if (key is null || !IdempotencyTicket.IsValidKey(key))
        {
            return new Use(false, null);
        }
        var ticket = new IdempotencyTicket(CurrentUser.From(http.User).Id, key,
            IdempotencyTicket.FingerprintOf($"POST {ConsoleSetup.PathBase}/{operation}", body));
        var stored = await db.IdempotencyKeys.AsNoTracking().FirstOrDefaultAsync(k => k.UserId == ticket.UserId && k.Key == ticket.Key, ct);
        if (stored is not null && (stored.StatusCode is not null || stored.RequestHash != ticket.Fingerprint))
        {
            return new Use(true, IdempotentReplay.Of(stored, ticket.Fingerprint));
        }
        http.Features.Set(ticket);
        return new Use(true, null);
    }
}
