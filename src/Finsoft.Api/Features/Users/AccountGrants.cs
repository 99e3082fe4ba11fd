using System.Security.Claims;
using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Users;

/// <summary>Joint holders: an admin gives a user the use of another user's wallet, or takes it back.</summary>
public static class AccountGrants
{
    public sealed record Request(Guid? AccountId);

    public sealed record GrantDto(Guid AccountId, Guid UserId, Guid GrantedBy, DateTime GrantedAt);

    /// <summary>The wallets this user holds, owned or granted.</summary>
    public static async Task<JsonBody> List(Guid id, int? limit, string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        if (!await db.Users.AnyAsync(u => u.Id == id && u.DeletedAt == null, ct))
        {
            return AdminUsers.UserNotFound();
        }
        return await PageResponse.ReadAsync(db.OpenWallets().HeldBy(db, id), page, newestFirst: false, http, AccountDto.From, ct);
    }

    public static async Task<JsonBody> Grant(Guid id, Request request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var validation = new Validation().Required("account_id", request.AccountId);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (!await db.Users.AnyAsync(u => u.Id == id && u.DeletedAt == null, ct))
        {
            return AdminUsers.UserNotFound();
        }
        var account = await db.OpenWallets().AsNoTracking().SingleOrDefaultAsync(a => a.Id == request.AccountId, ct);
        if (account is null)
        {
            return ApiResults.NotFound("Account not found");
        }
        if (account.UserId == id)
        {
            return ApiResults.Conflict("The user already owns this account");
        }
        var admin = CurrentUser.From(principal);
        var grant = new AccountGrantRow { AccountId = account.Id, UserId = id, GrantedBy = admin.Id, GrantedAt = time.UtcNow() };
        db.AccountGrants.Add(grant);
        audit.Add(db, AuditEvents.AccessGranted, admin.Id, id, new { account_id = account.Id, owner_id = account.UserId });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            return ApiResults.Conflict("The user already has access to this account");
        }
        return ApiResults.Created(new GrantDto(grant.AccountId, grant.UserId, grant.GrantedBy, grant.GrantedAt));
    }

    public static async Task<JsonBody> Revoke(Guid id, Guid accountId, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var removed = await db.AccountGrants.Where(g => g.UserId == id && g.AccountId == accountId).ExecuteDeleteAsync(ct);
        if (removed == 0)
        {
            return ApiResults.NotFound("The user has no granted access to this account");
        }
        audit.Add(db, AuditEvents.AccessRevoked, CurrentUser.From(principal).Id, id, new { account_id = accountId });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return ApiResults.Deleted("Access revoked");
    }
}
