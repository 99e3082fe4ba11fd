using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.Features.Identity;

/// <param name="MfaMethod">While MFA is on: <c>totp</c> or <c>sms</c>.</param>
public sealed record UserDto(Guid Id, string FullName, string Email, string Role, bool IsActive, bool MfaEnabled, string? MfaMethod, DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static UserDto From(UserRow user) =>
        new(user.Id, user.FullName, user.Email, user.Role, user.IsActive, user.MfaEnabled, user.MfaEnabled ? user.MfaMethod : null, user.CreatedAt, user.UpdatedAt);
}

public sealed record LoginResponse(UserDto User, string Token, DateTime ExpiresAt, string RefreshToken);
