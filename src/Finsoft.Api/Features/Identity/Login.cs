using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Configuration;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Ledger;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Identity;

public static class Login
{
    public sealed record Request(string? Email, string? Password);

    public const string BadCredentials = "Invalid email or password";

    public static async Task<JsonBody> Handle(Request request, FinsoftDb db, Passwords passwords, TokenService tokens,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password) || request.Password.Length > Passwords.MaxLength)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["credentials"] = ["email and password are required."] });
        }
        var email = Passwords.NormalizeEmail(request.Email);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == email, ct);
        // Unknown email, wrong password and deactivated user look the same, and cost the same hash.
        if (!passwords.Verify(user, request.Password) || !user!.IsActive)
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, BadCredentials);
        }
        return ApiResults.Ok(await StartSessionAsync(db, tokens, options.Value, time, user, ct));
    }

    public static async Task<LoginResponse> StartSessionAsync(FinsoftDb db, TokenService tokens, FinsoftOptions options,
        TimeProvider time, UserRow user, CancellationToken ct)
    {
        var now = time.UtcNow();
        var sessionId = Guid.CreateVersion7();
        var (refreshToken, refreshHash) = TokenService.CreateRefreshToken(sessionId);
        db.Sessions.Add(new SessionRow
        {
            Id = sessionId, UserId = user.Id, RefreshTokenHash = refreshHash, CreatedAt = now,
            ExpiresAt = now.AddDays(options.Jwt.RefreshTokenDays),
        });
        await db.SaveChangesAsync(ct);
        var access = tokens.CreateAccessToken(user, sessionId);
        return new LoginResponse(UserDto.From(user), access.Token, access.ExpiresAt, refreshToken);
    }
}
