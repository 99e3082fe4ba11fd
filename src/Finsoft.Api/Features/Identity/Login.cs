using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Identity;

public static class Login
{
    public sealed record Request(string? Email, string? Password);

    /// <summary>
    /// The answer when the password was right and a second factor is due: no access token yet. <see cref="MfaMethod"/> says which
    /// (<c>totp</c>, or <c>sms</c>: a code has just been sent).
    /// </summary>
    public sealed record MfaChallenge(bool MfaRequired, string MfaToken, DateTime ExpiresAt, string MfaMethod);

    public const string BadCredentials = "Invalid email or password";

    /// <summary>
    /// Unknown email, wrong password, locked, deactivated or deleted user: one 401 body, and the same
    /// password hash computed in every case, so neither the answer nor its timing tells them apart.
    /// </summary>
    public static async Task<JsonBody> Handle(Request request, FinsoftDb db, Passwords passwords, TokenService tokens, SignInGuard guard,
        AuditTrail audit, SmsCodes sms, PersonalData personal, IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password) || request.Password.Length > Passwords.MaxLength)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["credentials"] = ["email and password are required."] });
        }
        var user = await PasswordPassedAsync(db, passwords, guard, audit, personal, request.Email, request.Password, via: null, ct);
        return user is null ? Refused() : await FirstFactorPassedAsync(db, user, tokens, guard, audit, sms, personal, options.Value, time, new { mfa = false }, ct);
    }

    /// <summary>
    /// The password as the first factor, for the API and the console alike: the user when it is right for an active, unlocked
    /// user; else null, audited (with <paramref name="via"/> when not the API) and counted towards the lockout.
    /// </summary>
    public static async Task<UserRow?> PasswordPassedAsync(FinsoftDb db, Passwords passwords, SignInGuard guard, AuditTrail audit, PersonalData personal,
        string email, string password, string? via, CancellationToken ct)
    {
        object Failure(string reason) => via is null ? new { reason } : new { reason, via };
        var emailHash = personal.EmailHash(Passwords.NormalizeEmail(email));
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.EmailHash == emailHash && u.DeletedAt == null, ct);
        var passwordMatches = passwords.Verify(user, password);
        if (user is null)
        {
            await audit.RecordAsync(db, AuditEvents.LoginFailed, null, null,
                via is null ? new { email_hash = emailHash, reason = "unknown_email" } : new { email_hash = emailHash, reason = "unknown_email", via });
            return null;
        }
        if (guard.IsLocked(user))
        {
            await audit.RecordAsync(db, AuditEvents.LoginFailed, null, user.Id, Failure("locked"));
            return null;
        }
        if (!passwordMatches)
        {
            await guard.RecordFailureAsync(db, user, AuditEvents.LoginFailed, Failure("wrong_password"));
            return null;
        }
        if (!user.IsActive)
        {
            await audit.RecordAsync(db, AuditEvents.LoginFailed, null, user.Id, Failure("inactive"));
            return null;
        }
        return user;
    }

    /// <summary>
    /// After a first factor (a password, or an external provider's sign-in): the second factor's challenge when MFA is on,
    /// else a session. <paramref name="details"/> is what the audit records of a sign-in without MFA.
    /// </summary>
    public static async Task<JsonBody> FirstFactorPassedAsync(FinsoftDb db, UserRow user, TokenService tokens, SignInGuard guard, AuditTrail audit,
        SmsCodes sms, PersonalData personal, FinsoftOptions options, TimeProvider time, object details, CancellationToken ct)
    {
        if (user.MfaEnabled)
        {
            if (user is { MfaMethod: "sms", MfaPhone: { } phone } && sms.Available)
            {
                // Sent with the challenge. When a code went out too recently, none is sent now: the one sent then still works if it
                // was for signing in, and /auth/mfa/sms/send asks for a new one once the wait is over.
                await sms.SendAsync(db, user.Id, SmsCodePurpose.SignIn, personal.KeyOf(user).Open(phone), ct);
            }
            return ApiResults.Ok(new MfaChallenge(true, tokens.CreateMfaToken(user.Id), time.UtcNow().AddMinutes(TokenService.MfaTokenMinutes),
                user.MfaMethod ?? "totp"));
        }
        await guard.ClearFailuresAsync(db, user, ct);
        return ApiResults.Ok(await StartSessionAsync(db, tokens, audit, personal, options, time, user, details, ct));
    }

    public static JsonBody Refused() => ApiResults.Problem(StatusCodes.Status401Unauthorized, BadCredentials);

    /// <summary>Opens a session (a token family) and records the sign-in in the same commit.</summary>
    public static async Task<LoginResponse> StartSessionAsync(FinsoftDb db, TokenService tokens, AuditTrail audit, PersonalData personal, FinsoftOptions options,
        TimeProvider time, UserRow user, object details, CancellationToken ct)
    {
        var (sessionId, refreshToken) = await OpenSessionAsync(db, audit, options, time, user, details, ct);
        var access = tokens.CreateAccessToken(user, sessionId);
        return new LoginResponse(UserDto.From(user, personal), access.Token, access.ExpiresAt, refreshToken);
    }

    /// <summary>
    /// The session every sign-in opens, with the sign-in's audit record in the same commit: revoking it (logout, deactivation,
    /// erasure) ends whatever it signed in, tokens or the console's cookie.
    /// </summary>
    public static async Task<(Guid SessionId, string RefreshToken)> OpenSessionAsync(FinsoftDb db, AuditTrail audit, FinsoftOptions options,
        TimeProvider time, UserRow user, object details, CancellationToken ct)
    {
        var now = time.UtcNow();
        var sessionId = Guid.CreateVersion7();
        var (refreshToken, refreshHash) = TokenService.CreateRefreshToken(sessionId);
        db.Sessions.Add(new SessionRow
        {
            Id = sessionId, UserId = user.Id, RefreshTokenHash = refreshHash, CreatedAt = now,
            ExpiresAt = now.AddDays(options.Jwt.RefreshTokenDays),
        });
        audit.Add(db, AuditEvents.LoginSucceeded, user.Id, user.Id, details);
        await db.SaveChangesAsync(ct);
        return (sessionId, refreshToken);
    }
}
