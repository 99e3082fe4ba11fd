using Finsoft.Api.Features.Aml;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Identity;

public static class Register
{
    public sealed record Request(string? FullName, string? Email, string? Password);

    /// <summary>Self-registration always creates a customer; no field a client sends can choose the role.</summary>
    public static async Task<JsonBody> Handle(Request request, FinsoftDb db, Passwords passwords, PersonalData personal, Screener screener, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var validation = new Validation().Required("full_name", request.FullName);
        Passwords.CheckEmail(validation, request.Email);
        Passwords.CheckPassword(validation, request.Password, request.Email);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var result = await CreateAsync(db, passwords, personal, screener, time, request.FullName!.Trim(), request.Email!, request.Password!, Roles.Customer, ct,
            user => audit.Add(db, AuditEvents.UserCreated, user.Id, user.Id, new { role = user.Role, self_registered = true }));
        return result is null ? ApiResults.Conflict("A user with this email already exists") : ApiResults.Created(UserDto.From(result, personal));
    }

    /// <summary>
    /// Creates a user, screened against the watch lists in the same commit (a match puts them under compliance
    /// review from the start); null when the email is taken (checked by the unique index, not by a racy read).
    /// <paramref name="alsoStage"/> adds rows (the audit record) to the same commit.
    /// </summary>
    public static async Task<UserRow?> CreateAsync(FinsoftDb db, Passwords passwords, PersonalData personal, Screener screener, TimeProvider time,
        string fullName, string email, string password, string role, CancellationToken ct, Action<UserRow>? alsoStage = null)
    {
        var now = time.UtcNow();
        var user = new UserRow
        {
            Id = Guid.CreateVersion7(),
            FullName = "",
            Email = "",
            PasswordHash = passwords.Hash(password),
            Role = role,
            CreatedAt = now,
            UpdatedAt = now,
        };
        personal.Introduce(user, fullName, Passwords.NormalizeEmail(email));
        db.Users.Add(user);
        alsoStage?.Invoke(user);
        await screener.ScreenAsync(new ScreeningSubject(Screenings.User, user.Id, [fullName], Owner: user.Id), by: null, ct);
        try
        {
            await db.SaveChangesAsync(ct);
            return user;
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            return null;
        }
    }
}
