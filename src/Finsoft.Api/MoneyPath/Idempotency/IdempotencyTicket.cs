using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.MoneyPath.Idempotency;

/// <summary>
/// A request's `Idempotency-Key` with the fingerprint of what was asked (method, path and body), so a
/// replay can be told from a different request under the same key. Keys belong to their user.
/// </summary>
public sealed record IdempotencyTicket(Guid UserId, string Key, string Fingerprint)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>The request's key as a ticket: none, a valid one, or a problem saying why the header is not valid.</summary>
    public static (IdempotencyTicket? Ticket, JsonBody? Problem) Read(HttpContext http, Guid userId, object? body)
    {
        if (!http.Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return (null, null);
        }
        var key = values.ToString();
        return values.Count != 1 || !IsValidKey(key)
            ? (null, ApiResults.Problem(StatusCodes.Status400BadRequest, "Idempotency-Key must be one value of 1 to 255 printable characters."))
            : (new IdempotencyTicket(userId, key, FingerprintOf($"{http.Request.Method} {http.Request.Path.Value}", body)), null);
    }

    /// <summary>The ticket <see cref="IdempotencyKeyFilter"/> read from this request, if it carried a key.</summary>
    public static IdempotencyTicket? Of(HttpContext http) => http.Features.Get<IdempotencyTicket>();

    public static bool IsValidKey(string key) => key.Length is > 0 and <= 255 && !key.Any(char.IsControl);

    public static string FingerprintOf(string operation, object? body)
    {
        var text = new StringBuilder(operation);
        if (body is not null)
        {
            text.Append('\n').Append(Json.Serialize(body));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

public static class IdempotencyMetadata
{
    /// <summary>Takes an Idempotency-Key on the endpoint, and tells the OpenAPI document so (with the 409 and 422 it may answer).</summary>
    public static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<IdempotencyKeyFilter>().WithMetadata(new IdempotencyHeaderMetadata())
            .ProducesError(StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);
}

/// <summary>Marks an endpoint that accepts an Idempotency-Key header.</summary>
public sealed class IdempotencyHeaderMetadata;
