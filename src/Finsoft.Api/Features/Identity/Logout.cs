using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Identity;

public static class Logout
{
    public sealed record Response(string Message);

    /// <summary>Revokes the session in the database: its access tokens and refresh token die on every node, for good.</summary>
    public static async Task<JsonBody> Handle(ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var now = time.UtcNow();
        await db.Sessions.Where(s => s.Id == user.SessionId).RevokeAsync(now, ct);
        return ApiResults.Ok(new Response("Logged out successfully"));
    }
}

public static class Me
{
    public static async Task<JsonBody> Handle(ClaimsPrincipal principal, FinsoftDb db, Infrastructure.Security.PersonalData personal, CancellationToken ct)
    {
        var current = CurrentUser.From(principal);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == current.Id, ct);
        return ApiResults.Ok(UserDto.From(user, personal));
    }
}
