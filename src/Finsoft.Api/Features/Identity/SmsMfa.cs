using System.Globalization;
using System.Security.Claims;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Identity;

/// <summary>
/// SMS codes as the second factor, beside TOTP (one method at a time): enrol a phone with a code sent to it; at sign-in a
/// code is sent with the MFA challenge (and again on request); turning MFA off takes a code sent for that. Recovery codes
/// work as with TOTP.
/// </summary>
public static class SmsMfa
{
    public sealed record EnableRequest(string? Phone);

    public sealed record SendRequest(string? MfaToken);

    /// <summary>A code is on its way to <see cref="Phone"/> (masked) and good until <see cref="ExpiresAt"/>.</summary>
    public sealed record CodeSent(string Phone, DateTime ExpiresAt);

    /// <summary>Starts enrolment: a code to the phone; <see cref="Verify"/> with it turns SMS MFA on.</summary>
    public static async Task<JsonBody> Enable(EnableRequest request, ClaimsPrincipal principal, FinsoftDb db, SmsCodes codes, CancellationToken ct)
    {
        if (!codes.Available)
        {
            return ApiResults.Conflict("SMS codes are not available here: no SMS sender is configured");
        }
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == CurrentUser.From(principal).Id, ct);
        if (user.MfaEnabled)
        {
            return ApiResults.Conflict("Multi-factor authentication is already on; turn it off first to enrol again");
        }
        var phone = request.Phone?.Trim();
        if (!SmsCodes.IsPhone(phone))
        {
            return new Validation().Add("phone", "phone must be in international form: + and the country code, 8 to 15 digits in all.").Result;
        }
        return Answer(await codes.SendAsync(db, user.Id, SmsCodePurpose.Enrol, phone!, ct));
    }

    /// <summary>Confirms the phone with the code sent to it; hands out the recovery codes (shown only now).</summary>
    public static async Task<JsonBody> Verify(Mfa.CodeRequest request, ClaimsPrincipal principal, FinsoftDb db, SmsCodes codes, PersonalData personal,
        AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == CurrentUser.From(principal).Id, ct);
        if (user.MfaEnabled)
        {
            return ApiResults.Conflict("Multi-factor authentication is already on");
        }
        if (await codes.ClaimAsync(db, user.Id, SmsCodePurpose.Enrol, request.Code, ct) is not { } phone)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["code"] = ["The code is not valid: use the latest one sent to the phone, within its minutes."] });
        }
        var recovery = await Mfa.TurnOnAsync(db, user, method: "sms", time.UtcNow(), ct);
        user.MfaPhone = personal.KeyOf(user).Seal(phone);
        audit.Add(db, AuditEvents.MfaEnrolled, user.Id, user.Id, new { method = "sms" });
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(new Mfa.Enabled(true, recovery));
    }

    /// <summary>Sends a new sign-in code to the phone of the user signing in (the MFA token says who).</summary>
    public static async Task<JsonBody> SendSignIn(SendRequest request, FinsoftDb db, TokenService tokens, SmsCodes codes, PersonalData personal, CancellationToken ct)
    {
        var user = await tokens.ReadMfaTokenAsync(request.MfaToken) is { } id
            ? await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.IsActive && u.DeletedAt == null && u.MfaEnabled, ct)
            : null;
        if (user is null)
        {
            return ApiResults.Problem(StatusCodes.Status401Unauthorized, "The MFA token is invalid or expired; sign in again");
        }
        return user is { MfaMethod: "sms", MfaPhone: { } phone } && codes.Available
            ? Answer(await codes.SendAsync(db, user.Id, SmsCodePurpose.SignIn, personal.KeyOf(user).Open(phone), ct))
            : ApiResults.Conflict("This user's second factor is not SMS");
    }

    /// <summary>Sends a code that confirms a change to the signed-in user's MFA (turning it off).</summary>
    public static async Task<JsonBody> SendConfirmation(ClaimsPrincipal principal, FinsoftDb db, SmsCodes codes, PersonalData personal, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == CurrentUser.From(principal).Id, ct);
        return user is { MfaEnabled: true, MfaMethod: "sms", MfaPhone: { } phone } && codes.Available
            ? Answer(await codes.SendAsync(db, user.Id, SmsCodePurpose.Confirm, personal.KeyOf(user).Open(phone), ct))
            : ApiResults.Conflict("This user's second factor is not SMS");
    }

    private static JsonBody Answer(SmsCodes.Outcome outcome)
    {
        if (outcome.RetryAfter is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            var tooSoon = ApiResults.Problem(StatusCodes.Status429TooManyRequests, $"A code was sent a moment ago; ask again in {seconds} s.");
            tooSoon.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
            return tooSoon;
        }
        return ApiResults.Accepted(new CodeSent(outcome.Phone!, outcome.ExpiresAt!.Value));
    }
}
