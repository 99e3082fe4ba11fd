using System.Security.Claims;
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

/// <summary>TOTP enrolment (enable, then verify with a first code), second-factor login, and turning it off with a code.</summary>
public static class Mfa
{
    public sealed record CodeRequest(string? Code);

    public sealed record LoginRequest(string? MfaToken, string? Code);

    public sealed record Enrolment(string Secret, string OtpauthUri);

    public sealed record Enabled(bool MfaEnabled, List<string> RecoveryCodes);

    public sealed record Disabled(bool MfaEnabled);

    private const string Issuer = "Finsoft";

    /// <summary>Starts enrolment: a new secret, kept pending (encrypted) until a code from it is verified.</summary>
    public static async Task<JsonBody> Enable(ClaimsPrincipal principal, FinsoftDb db, SensitiveData sensitive, PersonalData personal, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == CurrentUser.From(principal).Id, ct);
        if (user.MfaEnabled)
        {
            return ApiResults.Conflict("Multi-factor authentication is already on; turn it off first to enrol again");
        }
        var secret = Totp.ToBase32(Totp.NewSecret());
        user.MfaPendingSecret = sensitive.Protect(secret);
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(new Enrolment(secret, Totp.EnrolmentUri(Issuer, personal.KeyOf(user).Open(user.Email), secret)));
    }

    /// <summary>Confirms enrolment with a code from the pending secret, and hands out the recovery codes (shown only now).</summary>
    public static async Task<JsonBody> Verify(CodeRequest request, ClaimsPrincipal principal, FinsoftDb db, SensitiveData sensitive,
        AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == CurrentUser.From(principal).Id, ct);
        if (user.MfaEnabled || user.MfaPendingSecret is null)
        {
            return ApiResults.Conflict(user.MfaEnabled ? "Multi-factor authentication is already on" : "Start enrolment with /api/v1/auth/mfa/enable first");
        }
        var secret = Totp.FromBase32(sensitive.Reveal(user.MfaPendingSecret));
        if (Totp.MatchStep(secret, request.Code?.Trim(), time.GetUtcNow()) is not { } step)
        {
            return InvalidCode();
        }
        var codes = await TurnOnAsync(db, user, method: "totp", time.UtcNow(), ct);
        user.MfaSecret = user.MfaPendingSecret;
        user.MfaPendingSecret = null;
        user.MfaLastStep = step;
        audit.Add(db, AuditEvents.MfaEnrolled, user.Id, user.Id, new { method = "totp" });
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(new Enabled(true, codes));
    }

    /// <summary>Turns MFA on by <paramref name="method"/> (the caller saves) and replaces the recovery codes; returns them to show once.</summary>
    public static async Task<List<string>> TurnOnAsync(FinsoftDb db, UserRow user, string method, DateTime now, CancellationToken ct)
    {
        var codes = RecoveryCodes.Generate();
        (user.MfaEnabled, user.MfaMethod, user.UpdatedAt) = (true, method, now);
        await db.MfaRecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        db.MfaRecoveryCodes.AddRange(codes.Select(c => new MfaRecoveryCodeRow { UserId = user.Id, CodeHash = RecoveryCodes.Hash(c), CreatedAt = now }));
        return codes;
    }

    /// <summary>Turns MFA off; a TOTP, SMS (sent for confirmation) or recovery code is required, and wrong codes count towards the lockout.</summary>
    public static async Task<JsonBody> Disable(CodeRequest request, ClaimsPrincipal principal, FinsoftDb db, SignInGuard guard,
        AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == CurrentUser.From(principal).Id, ct);
        if (!user.MfaEnabled)
        {
            return ApiResults.Conflict("Multi-factor authentication is not on");
        }
        if (guard.IsLocked(user))
        {
            return ApiResults.Problem(StatusCodes.Status423Locked, "Too many failed attempts; try again later");
        }
        if (await guard.ConsumeSecondFactorAsync(db, user, request.Code, SmsCodePurpose.Confirm, ct) is null)
        {
            await guard.RecordFailureAsync(db, user, AuditEvents.MfaFailed, new { during = "disable" });
            return InvalidCode();
        }
        var now = time.UtcNow();
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.MfaEnabled, false).SetProperty(u => u.MfaSecret, (string?)null)
            .SetProperty(u => u.MfaPendingSecret, (string?)null).SetProperty(u => u.MfaMethod, (string?)null).SetProperty(u => u.MfaPhone, (string?)null)
            .SetProperty(u => u.UpdatedAt, now), ct);
        await db.MfaRecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.MfaSmsCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        await audit.RecordAsync(db, AuditEvents.MfaDisabled, user.Id, user.Id);
        return ApiResults.Ok(new Disabled(false));
    }

    /// <summary>The second step of a login with MFA on: the short-lived MFA token and a TOTP, SMS or recovery code → the normal login body.</summary>
    public static async Task<JsonBody> Login(LoginRequest request, FinsoftDb db, TokenService tokens, SignInGuard guard, AuditTrail audit,
        PersonalData personal, IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (await tokens.ReadMfaTokenAsync(request.MfaToken) is not { } userId)
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, "The MFA token is invalid or expired; sign in again");
        }
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId && u.IsActive && u.DeletedAt == null && u.MfaEnabled, ct);
        if (user is null || guard.IsLocked(user))
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, "The MFA token is invalid or expired; sign in again");
        }
        var factor = await guard.ConsumeSecondFactorAsync(db, user, request.Code, SmsCodePurpose.SignIn, ct);
        if (factor is null)
        {
            await guard.RecordFailureAsync(db, user, AuditEvents.MfaFailed, new { during = "login" });
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, "The code is not valid");
        }
        if (factor == "recovery_code")
        {
            audit.Add(db, AuditEvents.RecoveryCodeUsed, user.Id, user.Id);
        }
        await guard.ClearFailuresAsync(db, user, ct);
        return ApiResults.Ok(await Identity.Login.StartSessionAsync(db, tokens, audit, personal, options.Value, time, user, new { mfa = factor }, ct));
    }

    private static JsonBody InvalidCode() =>
        ApiResults.Invalid(new Dictionary<string, string[]> { ["code"] = ["The code is not valid (6 digits from the authenticator or the latest SMS, or an unused recovery code)."] });
}
