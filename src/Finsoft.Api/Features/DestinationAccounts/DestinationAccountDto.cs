using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.DestinationAccounts;

public sealed record DestinationAccountDto(
    Guid Id, Guid UserId, string AccountNumber, string BankCode, string BankName, string FriendlyName,
    string HolderFullName, string VerificationStatus, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>Account number and holder are sealed under the owner's key (<paramref name="ownerKey"/>); the owner sees them in full.</summary>
    public static DestinationAccountDto From(DestinationAccountRow d, PersonKey ownerKey) => new(
        d.Id, d.UserId, ownerKey.Open(d.AccountNumber), d.BankCode, d.BankName, d.FriendlyName, ownerKey.Open(d.HolderFullName), d.VerificationStatus,
        d.CreatedAt, d.UpdatedAt);
}

public static class DestinationAccess
{
    /// <summary>A destination account is only ever visible to the user who registered it.</summary>
    public static IQueryable<DestinationAccountRow> OwnedBy(this DbSet<DestinationAccountRow> set, ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        return set.Where(d => d.UserId == user.Id && d.DeletedAt == null);
    }
}
