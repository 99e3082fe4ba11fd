using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.Features.Identity;

public sealed record UserDto(Guid Id, string FullName, string Email, string Role, bool IsActive, bool MfaEnabled, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static UserDto From(UserRow user) =>
        new(user.Id, user.FullName, user.Email, user.Role, user.IsActive, user.MfaEnabled, user.CreatedAt, user.UpdatedAt);
}

public sealed record LoginResponse(UserDto User, string Token, DateTime ExpiresAt, string RefreshToken);
