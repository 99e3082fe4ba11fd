using System.Security.Claims;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.AdminConsole;

/// <summary>
/// Signing in to the console: the API's rules (password, lockout, the second factor, the audit record, a session), for staff
/// only. One answer for every failure, as the API gives, so the form tells no one which emails exist.
/// </summary>
public sealed class ConsoleSignIn(FinsoftDb db, Passwords passwords, PersonalData personal, SignInGuard guard, AuditTrail audit, SmsCodes sms,
    IOptions<FinsoftOptions> options, TimeProvider time)
{
    public const string Refused = "The email, password or code is not right, or the account is locked.";
    public const string NotStaff = "The console is for Finsoft's staff; customers use the app.";

    /// <summary>How the audit trail tells a console sign-in from an API one.</summary>
    private const string Via = "console";

    public sealed record Outcome(ClaimsPrincipal? Principal, string? Error, bool CodeNeeded = false);

    public async Task<Outcome> SignInAsync(string? email, string? password, string? code, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password) || password.Length > Passwords.MaxLength)
        {
            return new Outcome(null, "Enter your email and password.");
        }
        var user = await Login.PasswordPassedAsync(db, passwords, guard, audit, personal, email, password, Via, ct);
        if (user is null)
        {
            return new Outcome(null, Refused);
        }
        if (user.Role == Roles.Customer)
        {
            await audit.RecordAsync(db, AuditEvents.LoginFailed, null, user.Id, new { reason = "not_staff", via = Via });
            return new Outcome(null, NotStaff);
        }
        var factor = "none";
        if (user.MfaEnabled)
        {
            if (string.IsNullOrWhiteSpace(code))
            {
                if (user is { MfaMethod: "sms", MfaPhone: { } phone } && sms.Available)
                {
                    // As the API's sign-in does: a code goes to the phone (none while one sent a moment ago still works).
                    await sms.SendAsync(db, user.Id, SmsCodePurpose.SignIn, personal.KeyOf(user).Open(phone), ct);
                    return new Outcome(null, "Enter the code sent to your phone (or a recovery code), with your email and password.", CodeNeeded: true);
                }
                return new Outcome(null, "Enter the code from your authenticator app (or a recovery code).", CodeNeeded: true);
            }
            if (await guard.ConsumeSecondFactorAsync(db, user, code, SmsCodePurpose.SignIn, ct) is not { } used)
            {
                await guard.RecordFailureAsync(db, user, AuditEvents.MfaFailed, new { during = "login", via = Via });
                return new Outcome(null, Refused, CodeNeeded: true);
            }
            factor = used;
            if (used == "recovery_code")
            {
                audit.Add(db, AuditEvents.RecoveryCodeUsed, user.Id, user.Id);
            }
        }
        await guard.ClearFailuresAsync(db, user, ct);
        var (sessionId, _) = await Login.OpenSessionAsync(db, audit, options.Value, time, user, new { mfa = factor, via = Via }, ct);
        var identity = new ClaimsIdentity(
        [
            new Claim(TokenClaims.Subject, user.Id.ToString()),
            new Claim(TokenClaims.Session, sessionId.ToString()),
            new Claim(TokenClaims.Role, user.Role),
        ], ConsoleSetup.Scheme, TokenClaims.Subject, TokenClaims.Role);
        return new Outcome(new ClaimsPrincipal(identity), null);
    }
}
