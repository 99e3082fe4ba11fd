using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Ledger;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Identity;

public static class Refresh
{
    public sealed record Request(string? RefreshToken);

    /// <summary>
    /// Rotates the refresh token: one conditional UPDATE swaps the stored hash, so of two requests
    /// presenting the same token only one wins, and the old token stops working.
    /// </summary>
    public static async Task<JsonBody> Handle(Request request, FinsoftDb db, TokenService tokens, TimeProvider time, CancellationToken ct)
    {
        if (!TokenService.TryReadRefreshToken(request.RefreshToken, out var sessionId, out var presentedHash))
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, "Refresh token is invalid or expired");
        }
        var now = time.UtcNow();
        var (nextToken, nextHash) = TokenService.CreateRefreshToken(sessionId);
        var rotated = await db.Sessions
            .Where(s => s.Id == sessionId && s.RefreshTokenHash == presentedHash && s.RevokedAt == null && s.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RefreshTokenHash, nextHash), ct);
        var user = rotated == 1
            ? await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.IsActive && db.Sessions.Any(s => s.Id == sessionId && s.UserId == u.Id), ct)
            : null;
        if (user is null)
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, "Refresh token is invalid or expired");
        }
        var access = tokens.CreateAccessToken(user, sessionId);
        return ApiResults.Ok(new LoginResponse(UserDto.From(user), access.Token, access.ExpiresAt, nextToken));
    }
}
