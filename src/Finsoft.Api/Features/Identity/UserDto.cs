using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;

namespace Finsoft.Api.Features.Identity;

/// <param name="MfaMethod">While MFA is on: <c>totp</c> or <c>sms</c>.</param>
/// <param name="LockedUntil">Set when repeated failed sign-ins locked the user out: sign-in is refused until then (or until an admin unlocks).</param>
public sealed record UserDto(Guid Id, string FullName, string Email, string Role, bool IsActive, bool MfaEnabled, string? MfaMethod, DateTime CreatedAt,
    DateTime UpdatedAt, DateTime? LockedUntil)
{
    /// <summary>The user as the API shows it: name and email opened with the person's key, "[erased]" once erased.</summary>
    public static UserDto From(UserRow user, PersonalData personal) => From(user, personal.KeyOf(user));

    public static UserDto From(UserRow user, PersonKey key) =>
        new(user.Id, key.Open(user.FullName), key.Open(user.Email), user.Role, user.IsActive, user.MfaEnabled, user.MfaEnabled ? user.MfaMethod : null, user.CreatedAt, user.UpdatedAt, user.LockedUntil);
}

public sealed record LoginResponse(UserDto User, string Token, DateTime ExpiresAt, string RefreshToken);
