using System.Security.Claims;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Identity;

public static class ChangePassword
{
    public sealed record Request(string? CurrentPassword, string? NewPassword);

    /// <summary>Needs the current password; the new one meets the policy. Every other session of the user ends at once.</summary>
    public static async Task<JsonBody> Handle(Request request, ClaimsPrincipal principal, FinsoftDb db, Passwords passwords, SignInGuard guard,
        Infrastructure.Security.PersonalData personal, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var current = CurrentUser.From(principal);
        var user = await db.Users.SingleAsync(u => u.Id == current.Id, ct);
        if (guard.IsLocked(user))
        {
            return ApiResults.Problem(StatusCodes.Status423Locked, "Too many failed attempts; try again later");
        }
        var validation = new Validation();
        if (string.IsNullOrEmpty(request.CurrentPassword) || request.CurrentPassword.Length > Passwords.MaxLength || !passwords.Verify(user, request.CurrentPassword))
        {
            // A stolen access token must not become a password-guessing oracle: wrong guesses count towards the lockout.
            await guard.RecordFailureAsync(db, user, AuditEvents.LoginFailed, new { reason = "wrong_password", during = "password_change" });
            return validation.Add("current_password", "current_password is not the account's password.").Result;
        }
        Passwords.CheckPassword(validation, request.NewPassword, personal.KeyOf(user).Open(user.Email), "new_password");
        if (validation.IsValid && request.NewPassword == request.CurrentPassword)
        {
            validation.Add("new_password", "new_password must differ from the current one.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var now = time.UtcNow();
        user.PasswordHash = passwords.Hash(request.NewPassword!);
        user.UpdatedAt = now;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Sessions.Where(s => s.UserId == user.Id && s.Id != current.SessionId).RevokeAsync(now, ct);
        audit.Add(db, AuditEvents.PasswordChanged, user.Id, user.Id);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return ApiResults.Ok(new StatusMessage("Ok", "Password changed; other sessions were signed out"));
    }
}
