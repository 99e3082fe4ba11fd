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
    /// <summary>The account number is stored encrypted; its owner sees it in full.</summary>
    public static DestinationAccountDto From(DestinationAccountRow d, SensitiveData sensitive) => new(
        d.Id, d.UserId, sensitive.Reveal(d.AccountNumber), d.BankCode, d.BankName, d.FriendlyName, d.HolderFullName, d.VerificationStatus, d.CreatedAt, d.UpdatedAt);
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
