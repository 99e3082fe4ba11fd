using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.MoneyPath.Idempotency;
using Microsoft.AspNetCore.Http;

namespace Finsoft.Api.AdminConsole;

/// <summary>
/// A console form that moves money carries an idempotency key drawn with the form; the API's handler then finds it as it
/// finds an <c>Idempotency-Key</c> header, so a double click or a resent form is answered from the first, and moves once.
/// </summary>
public static class MoneyActions
{
    public const string KeyField = "key";

    public static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary>False when the form's key is missing or malformed (the form is drawn again).</summary>
    public static bool TryUseKey(HttpContext http, string? key, string operation, object? body)
    {
        if (key is null || !IdempotencyTicket.IsValidKey(key))
        {
            return false;
        }
        http.Features.Set(new IdempotencyTicket(CurrentUser.From(http.User).Id, key,
            IdempotencyTicket.FingerprintOf($"POST {ConsoleSetup.PathBase}/{operation}", body)));
        return true;
    }
}
