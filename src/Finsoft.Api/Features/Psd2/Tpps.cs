using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Psd2;

/// <summary>
/// Third-party providers an admin registers. The client secret is shown once, at registration; only its hash is kept (as for
/// refresh tokens). Revoking a TPP ends its tokens at once and its consents with them.
/// </summary>
public static class Tpps
{
    public const int MaxRedirectUris = 10;

    public sealed record Request(string? Name, List<string>? RedirectUris);

    public sealed record Response(
        Guid Id, string Name, string ClientId, IReadOnlyList<string> RedirectUris, DateTime CreatedAt, DateTime? RevokedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret = null)
    {
        public static Response From(TppRow tpp, string? secret = null) =>
            new(tpp.Id, tpp.Name, tpp.ClientId, RedirectUrisOf(tpp), tpp.CreatedAt, tpp.RevokedAt, secret);
    }

    public static IReadOnlyList<string> RedirectUrisOf(TppRow tpp) => JsonSerializer.Deserialize<List<string>>(tpp.RedirectUris) ?? [];

    public static async Task<JsonBody> Register(Request request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var validation = new Validation().Required("name", request.Name);
        if (request.RedirectUris is not { Count: > 0 and <= MaxRedirectUris } uris || uris.Any(u => !IsRedirectUri(u)))
        {
            validation.Add("redirect_uris", $"redirect_uris must list 1 to {MaxRedirectUris} absolute https URIs (http only for localhost), without a fragment.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var admin = CurrentUser.From(principal);
        var secret = TokenService.NewSecret();
        var tpp = new TppRow
        {
            Id = Guid.CreateVersion7(), Name = request.Name!.Trim(), ClientId = "tpp_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            SecretHash = TokenService.HashSecret(secret), RedirectUris = JsonSerializer.Serialize(request.RedirectUris!.Distinct(StringComparer.Ordinal)),
            CreatedBy = admin.Id, CreatedAt = time.UtcNow(),
        };
        db.Tpps.Add(tpp);
        audit.Add(db, AuditEvents.TppRegistered, admin.Id, null, new { tpp_id = tpp.Id, tpp.Name, client_id = tpp.ClientId });
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(Response.From(tpp, secret));
    }

    public static async Task<JsonBody> List(FinsoftDb db, CancellationToken ct)
    {
        var rows = await db.Tpps.AsNoTracking().OrderBy(t => t.CreatedAt).ToListAsync(ct);
        return ApiResults.Ok(rows.Select(t => Response.From(t)).ToList());
    }

    public static async Task<JsonBody> Revoke(Guid id, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var tpp = await db.Tpps.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (tpp is null)
        {
            return ApiResults.NotFound("TPP not found");
        }
        if (tpp.RevokedAt is null)
        {
            var now = time.UtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            tpp.RevokedAt = now;
            await db.Consents.Where(c => c.TppId == id && (c.Status == ConsentStatus.Received || c.Status == ConsentStatus.Valid))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConsentStatus.TerminatedByTpp).SetProperty(c => c.StatusChangedAt, now), ct);
            audit.Add(db, AuditEvents.TppRevoked, CurrentUser.From(principal).Id, null, new { tpp_id = id });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        return ApiResults.Ok(Response.From(tpp));
    }

    private static bool IsRedirectUri(string? text) =>
        text is { Length: <= 500 } && Uri.TryCreate(text, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
