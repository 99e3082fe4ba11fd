using System.Security.Claims;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Users;

/// <summary>User administration: search, create with a role, change role or active flag, soft delete.</summary>
public static class AdminUsers
{
    public sealed record CreateRequest(string? FullName, string? Email, string? Password, string? Role);

    public sealed record UpdateRequest(string? Role, bool? IsActive);

    /// <summary>
    /// <paramref name="search"/> is an exact email, or whole words of the name (all of them, any case): names and emails are
    /// sealed per person, so the search goes through their keyed hashes, never through the values.
    /// </summary>
    public static async Task<JsonBody> List(string? search, string? role, [FromQuery(Name = "is_active")] bool? isActive, int? limit, string? cursor, HttpRequest http,
        FinsoftDb db, PersonalData personal, CancellationToken ct)
    {
        var validation = new Validation();
        if (role is not null && !Roles.All.Contains(role))
        {
            validation.Add("role", $"role must be one of {string.Join(", ", Roles.All)}.");
        }
        if (search?.Length > 100)
        {
            validation.Add("search", "search must be at most 100 characters.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var query = db.Users.Where(u => u.DeletedAt == null);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            if (term.Contains('@'))
            {
                var emailHash = personal.EmailHash(Passwords.NormalizeEmail(term));
                query = query.Where(u => u.EmailHash == emailHash);
            }
            else
            {
                foreach (var word in personal.NameWordHashes(term).Select(hash => $"% {hash} %"))
                {
                    query = query.Where(u => EF.Functions.Like(u.NameIndex!, word));
                }
            }
        }
        if (role is not null)
        {
            query = query.Where(u => u.Role == role);
        }
        if (isActive is { } active)
        {
            query = query.Where(u => u.IsActive == active);
        }
        return await PageResponse.ReadAsync(query, page, newestFirst: false, http, user => UserDto.From(user, personal), ct);
    }

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, PersonalData personal, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.DeletedAt == null, ct);
        return user is null ? UserNotFound() : ApiResults.Ok(UserDto.From(user, personal));
    }

    public static async Task<JsonBody> Create(CreateRequest request, ClaimsPrincipal principal, FinsoftDb db, Passwords passwords, PersonalData personal, Screener screener,
        AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("full_name", request.FullName);
        Passwords.CheckEmail(validation, request.Email);
        Passwords.CheckPassword(validation, request.Password, request.Email);
        CheckRole(validation, request.Role, required: true);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var admin = CurrentUser.From(principal);
        var created = await Register.CreateAsync(db, passwords, personal, screener, time, request.FullName!.Trim(), request.Email!, request.Password!, request.Role!, ct,
            user => audit.Add(db, AuditEvents.UserCreated, admin.Id, user.Id, new { role = user.Role }));
        return created is null ? ApiResults.Conflict("A user with this email already exists") : ApiResults.Created(UserDto.From(created, personal));
    }

    /// <summary>
    /// Changes role and/or active flag. Deactivating ends every session at once. The last active admin
    /// can be neither demoted nor deactivated (409), decided under a lock so two admins demoting each
    /// other at the same moment cannot both succeed.
    /// </summary>
    public static async Task<JsonBody> Update(Guid id, UpdateRequest request, ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, AuditTrail audit,
        TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        CheckRole(validation, request.Role, required: false);
        if (request.Role is null && request.IsActive is null)
        {
            validation.Add("role", "give role, is_active or both.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var admin = CurrentUser.From(principal);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (user, lastAdmin) = await LoadForChangeAsync(db, id, ct);
        if (user is null)
        {
            return UserNotFound();
        }
        var stillAdmin = (request.Role ?? user.Role) == Roles.Admin && (request.IsActive ?? user.IsActive);
        if (lastAdmin && !stillAdmin)
        {
            return ApiResults.Conflict("This is the last active admin; make another admin first");
        }
        if (user.ErasedAt is not null)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, "This person was erased at their request; the account stays closed", errorCode: "user_erased");
        }
        var now = time.UtcNow();
        if (request.Role is { } role && role != user.Role)
        {
            audit.Add(db, AuditEvents.RoleChanged, admin.Id, user.Id, new { from = user.Role, to = role });
            user.Role = role; // tokens carrying the old role stop working at once (the session check compares it)
        }
        if (request.IsActive is { } active && active != user.IsActive)
        {
            audit.Add(db, AuditEvents.StatusChanged, admin.Id, user.Id, new { is_active = active });
            user.IsActive = active;
            if (!active)
            {
                await db.Sessions.Where(s => s.UserId == user.Id).RevokeAsync(now, ct); // reactivation must not revive them
            }
        }
        user.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return ApiResults.Ok(UserDto.From(user, personal));
    }

    /// <summary>
    /// Lifts a lockout before it runs out (the person called in and proved who they are): the failure count starts again.
    /// Sessions are untouched, as a lockout never ended them. The lock is lifted by a conditional UPDATE, so of two unlocks at
    /// once one lifts it and is audited; unlocking a user who is not locked changes nothing and records nothing.
    /// </summary>
    public static async Task<JsonBody> Unlock(Guid id, ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.DeletedAt == null, ct);
        if (user is null)
        {
            return UserNotFound();
        }
        if (user.ErasedAt is not null)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, "This person was erased at their request; the account stays closed", errorCode: "user_erased");
        }
        var now = time.UtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var lifted = await db.Users.Where(u => u.Id == id && u.DeletedAt == null && u.ErasedAt == null && u.LockedUntil > now).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.FailedLogins, 0).SetProperty(u => u.FailureWindowStart, (DateTime?)null).SetProperty(u => u.LockedUntil, (DateTime?)null)
            .SetProperty(u => u.UpdatedAt, now), ct);
        if (lifted == 1)
        {
            audit.Add(db, AuditEvents.UserUnlocked, CurrentUser.From(principal).Id, id, new { locked_until = user.LockedUntil });
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return ApiResults.Ok(UserDto.From(await db.Users.AsNoTracking().SingleAsync(u => u.Id == id, ct), personal));
    }

    /// <summary>Soft delete: the row stays (journal and audit refer to it); sign-in and every session end. Not the last active admin.</summary>
    public static async Task<JsonBody> Delete(Guid id, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var admin = CurrentUser.From(principal);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (user, lastAdmin) = await LoadForChangeAsync(db, id, ct);
        if (user is null)
        {
            return UserNotFound();
        }
        if (lastAdmin)
        {
            return ApiResults.Conflict("This is the last active admin; make another admin first");
        }
        var now = time.UtcNow();
        user.DeletedAt = now;
        user.IsActive = false;
        user.UpdatedAt = now;
        await db.Sessions.Where(s => s.UserId == user.Id).RevokeAsync(now, ct);
        audit.Add(db, AuditEvents.UserDeleted, admin.Id, user.Id);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return ApiResults.Deleted("User deleted");
    }

    /// <summary>
    /// The user to change (tracked), and whether it is the only active admin. On PostgreSQL every active
    /// admin row is locked until commit first; SQLite's write transaction already excludes other writers.
    /// </summary>
    private static async Task<(UserRow? User, bool IsLastAdmin)> LoadForChangeAsync(FinsoftDb db, Guid id, CancellationToken ct)
    {
        var admins = db.Database.IsNpgsql()
            ? await db.Users.FromSql($"SELECT * FROM users WHERE role = 'admin' AND is_active AND deleted_at IS NULL ORDER BY id FOR UPDATE")
                .AsNoTracking().ToListAsync(ct)
            : await db.Users.AsNoTracking().Where(u => u.Role == Roles.Admin && u.IsActive && u.DeletedAt == null).ToListAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id && u.DeletedAt == null, ct);
        return (user, admins.Count == 1 && admins[0].Id == id);
    }

    public static JsonBody UserNotFound() => ApiResults.NotFound("User not found");

    private static void CheckRole(Validation validation, string? role, bool required)
    {
        if (role is null ? required : !Roles.All.Contains(role))
        {
            validation.Add("role", $"role must be one of {string.Join(", ", Roles.All)}.");
        }
    }
}
