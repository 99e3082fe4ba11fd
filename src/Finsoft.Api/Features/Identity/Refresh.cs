using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Identity;

public static class Refresh
{
    public sealed record Request(string? RefreshToken);

    private const string Invalid = "Refresh token is invalid or expired";

    /// <summary>
    /// Rotates the refresh token: one conditional UPDATE swaps the stored hash (of two requests with the
    /// same token only one wins) and the spent token's hash is kept. A spent token presented again has
    /// leaked: the whole family (the session, with every access token it issued) is revoked and the
    /// event recorded.
    /// </summary>
    public static async Task<JsonBody> Handle(Request request, FinsoftDb db, TokenService tokens, Infrastructure.Security.PersonalData personal, AuditTrail audit,
        TimeProvider time, CancellationToken ct)
    {
        if (!TokenService.TryReadRefreshToken(request.RefreshToken, out var sessionId, out var presentedHash))
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, Invalid);
        }
        var now = time.UtcNow();
        var (nextToken, nextHash) = TokenService.CreateRefreshToken(sessionId);
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var rotated = await db.Sessions
                .Where(s => s.Id == sessionId && s.RefreshTokenHash == presentedHash && s.RevokedAt == null && s.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RefreshTokenHash, nextHash), ct);
            if (rotated == 1)
            {
                db.UsedRefreshTokens.Add(new UsedRefreshTokenRow { TokenHash = presentedHash, SessionId = sessionId, UsedAt = now });
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            else
            {
                await transaction.RollbackAsync(ct);
                await RevokeFamilyIfReusedAsync(db, audit, sessionId, presentedHash, now, ct);
                return ApiResults.Problem(StatusCodes.Status401Unauthorized, Invalid);
            }
        }
        var user = await db.Users.AsNoTracking()
            .SingleOrDefaultAsync(u => u.IsActive && u.DeletedAt == null && db.Sessions.Any(s => s.Id == sessionId && s.UserId == u.Id), ct);
        if (user is null)
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, Invalid);
        }
        var access = tokens.CreateAccessToken(user, sessionId);
        return ApiResults.Ok(new LoginResponse(UserDto.From(user, personal), access.Token, access.ExpiresAt, nextToken));
    }

    private static async Task RevokeFamilyIfReusedAsync(FinsoftDb db, AuditTrail audit, Guid sessionId, string presentedHash, DateTime now, CancellationToken ct)
    {
        var session = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId && db.UsedRefreshTokens.Any(t => t.TokenHash == presentedHash && t.SessionId == sessionId))
            .Select(s => new { s.UserId, s.RevokedAt })
            .SingleOrDefaultAsync(ct);
        if (session is null)
        {
            return; // never issued here: a guess or garbage, not a leak
        }
        var revoked = await db.Sessions.Where(s => s.Id == sessionId).RevokeAsync(now, CancellationToken.None);
        if (revoked == 1)
        {
            await audit.RecordAsync(db, AuditEvents.TokenReuse, null, session.UserId, new { session_id = sessionId });
        }
    }
}
