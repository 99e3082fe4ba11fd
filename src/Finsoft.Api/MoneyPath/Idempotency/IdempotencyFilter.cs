using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Idempotency;

/// <summary>Marks a request body that takes part in the idempotency fingerprint.</summary>
public interface IIdempotentRequest;

/// <summary>
/// The `Idempotency-Key` contract for money-moving endpoints. The key is claimed (inserted with a
/// claim token) in its own short transaction; the handler records its response in the same database
/// transaction that moves the money, so a crash can never leave money moved with the response
/// forgotten. Same key and body → the stored response again; different body → 422; still running → 409.
/// A claim left behind by a process that died is taken over once its lease has run out.
/// </summary>
public sealed class IdempotencyFilter(FinsoftDb db, TimeProvider time, IOptions<FinsoftOptions> options, ILogger<IdempotencyFilter> logger) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var (key, invalid) = ReadKey(http);
        if (invalid is not null)
        {
            return invalid;
        }
        if (key is null)
        {
            return await next(context);
        }
        var user = CurrentUser.From(http.User);
        var fingerprint = Fingerprint(http, context.Arguments);
        var claim = new IdempotencyClaim(user.Id, key, Guid.NewGuid());

        var refusal = await TryClaimAsync(claim, fingerprint, http.RequestAborted);
        if (refusal is not null)
        {
            return refusal;
        }
        http.Features.Set(claim);
        object? result;
        try
        {
            result = await next(context);
        }
        catch (IdempotencyClaimLostException)
        {
            return IdempotentReplay.StillRunning;
        }
        catch
        {
            await ReleaseAsync(claim);
            throw;
        }
        if (result is JsonBody body && body.StatusCode < 500)
        {
            // Business refusals (4xx) moved no money and are recorded here; successes were recorded in their own transaction.
            await StoreAsync(claim, body);
        }
        else
        {
            await ReleaseAsync(claim);
        }
        return result;
    }

    private async Task<JsonBody?> TryClaimAsync(IdempotencyClaim claim, string fingerprint, CancellationToken ct)
    {
        // A few rounds: the row we collided with can be released (deleted) before we read it.
        for (var round = 0; round < 3; round++)
        {
            var now = time.UtcNow();
            if (await TryInsertClaimAsync(claim, fingerprint, now, ct))
            {
                return null;
            }
            var existing = await db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(k => k.UserId == claim.UserId && k.Key == claim.Key, ct);
            if (existing is null)
            {
                continue;
            }
            if (existing.RequestHash != fingerprint || existing.StatusCode is not null)
            {
                return IdempotentReplay.Of(existing, fingerprint);
            }
            if (existing.ClaimedAt > now - TimeSpan.FromSeconds(options.Value.IdempotencyLeaseSeconds))
            {
                return IdempotentReplay.StillRunning;
            }
            var staleToken = existing.ClaimToken;
            var taken = await db.IdempotencyKeys
                .Where(k => k.UserId == claim.UserId && k.Key == claim.Key && k.ClaimToken == staleToken && k.StatusCode == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.ClaimToken, claim.Token).SetProperty(k => k.ClaimedAt, now), ct);
            if (taken == 1)
            {
                logger.LogInformation("Took over an abandoned idempotency claim for key {Key}", claim.Key);
                return null;
            }
        }
        return IdempotentReplay.StillRunning;
    }

    private async Task<bool> TryInsertClaimAsync(IdempotencyClaim claim, string fingerprint, DateTime now, CancellationToken ct)
    {
        db.IdempotencyKeys.Add(new IdempotencyKeyRow
        {
            UserId = claim.UserId, Key = claim.Key, RequestHash = fingerprint, ClaimToken = claim.Token, ClaimedAt = now, CreatedAt = now,
        });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear(); // the handler's own work starts from a clean context
        }
    }

    private Task StoreAsync(IdempotencyClaim claim, JsonBody body) =>
        db.IdempotencyKeys
            .Where(k => k.UserId == claim.UserId && k.Key == claim.Key && k.ClaimToken == claim.Token && k.StatusCode == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.StatusCode, body.StatusCode).SetProperty(k => k.ResponseBody, body.Json));

    private Task ReleaseAsync(IdempotencyClaim claim) =>
        db.IdempotencyKeys
            .Where(k => k.UserId == claim.UserId && k.Key == claim.Key && k.ClaimToken == claim.Token && k.StatusCode == null)
            .ExecuteDeleteAsync();

    /// <summary>The request's Idempotency-Key: none, a valid one, or a problem saying why it is not valid.</summary>
    public static (string? Key, JsonBody? Problem) ReadKey(HttpContext http)
    {
        if (!http.Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return (null, null);
        }
        var key = values.ToString();
        return values.Count != 1 || !IsValidKey(key)
            ? (null, ApiResults.Problem(StatusCodes.Status400BadRequest, "Idempotency-Key must be one value of 1 to 255 printable characters."))
            : (key, null);
    }

    public static bool IsValidKey(string key) => key.Length is > 0 and <= 255 && !key.Any(char.IsControl);

    /// <summary>What a stored response must have been asked with: method, path and the request bodies.</summary>
    public static string Fingerprint(HttpContext http, IEnumerable<object?> arguments) =>
        Fingerprint($"{http.Request.Method} {http.Request.Path.Value}", arguments);

    public static string Fingerprint(string operation, IEnumerable<object?> arguments)
    {
        var text = new StringBuilder(operation);
        foreach (var argument in arguments.OfType<IIdempotentRequest>())
        {
            text.Append('\n').Append(Json.Serialize<object>(argument));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

/// <summary>A claimed key; the handler completes it inside its money transaction.</summary>
public sealed class IdempotencyClaim(Guid userId, string key, Guid token)
{
    public Guid UserId { get; } = userId;
    public string Key { get; } = key;
    public Guid Token { get; } = token;

    /// <summary>Records the response in the caller's open transaction; throws if another request took the claim over.</summary>
    public async Task CompleteAsync(FinsoftDb db, JsonBody body, CancellationToken ct)
    {
        var rows = await db.IdempotencyKeys
            .Where(k => k.UserId == UserId && k.Key == Key && k.ClaimToken == Token && k.StatusCode == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.StatusCode, body.StatusCode).SetProperty(k => k.ResponseBody, body.Json), ct);
        if (rows != 1)
        {
            throw new IdempotencyClaimLostException();
        }
    }
}

public sealed class IdempotencyClaimLostException() : Exception("The idempotency claim was taken over by another request.");

public static class IdempotencyExtensions
{
    /// <summary>Records the response under the request's idempotency key, if it has one, inside the current transaction; returns it.</summary>
    public static async Task<JsonBody> RespondWithinTransactionAsync(this HttpContext http, FinsoftDb db, JsonBody body, CancellationToken ct)
    {
        if (http.Features.Get<IdempotencyClaim>() is { } claim)
        {
            await claim.CompleteAsync(db, body, ct);
        }
        return body;
    }

    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<IdempotencyFilter>()
            .WithMetadata(new IdempotencyHeaderMetadata())
            .ProducesError(StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);
}

/// <summary>Tells the OpenAPI document that the endpoint accepts an Idempotency-Key header.</summary>
public sealed class IdempotencyHeaderMetadata;
