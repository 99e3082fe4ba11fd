using System.Net.Mail;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;

namespace Finsoft.Api.Features.Identity;

/// <summary>Password hashing (PBKDF2-HMAC-SHA512, 100,000 iterations, per-user salt) and the shape rules for credentials.</summary>
public sealed class Passwords
{
    public const int MinLength = 12;
    public const int MaxLength = 128;
    private readonly PasswordHasher<UserRow> _hasher = new();

    // Verified against when the email is unknown, so a miss costs the same time as a wrong password.
    private readonly string _decoyHash;

    public Passwords() => _decoyHash = _hasher.HashPassword(null!, Guid.NewGuid().ToString());

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    public bool Verify(UserRow? user, string password)
    {
        var result = _hasher.VerifyHashedPassword(null!, user?.PasswordHash ?? _decoyHash, password);
        return user is not null && result != PasswordVerificationResult.Failed;
    }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public static Validation CheckEmail(Validation validation, string? email)
    {
        validation.Required("email", email, 254);
        if (!string.IsNullOrWhiteSpace(email) && (!MailAddress.TryCreate(email.Trim(), out var parsed) || parsed.Address != email.Trim()))
        {
            validation.Add("email", "email is not a valid address.");
        }
        return validation;
    }

    /// <summary>The password policy: 12–128 characters, not a common password, not containing the email.</summary>
    public static Validation CheckPassword(Validation validation, string? password, string? email, string field = "password")
    {
        if (string.IsNullOrEmpty(password))
        {
            return validation.Add(field, $"{field} is required.");
        }
        if (password.Length is < MinLength or > MaxLength)
        {
            return validation.Add(field, $"{field} must be {MinLength} to {MaxLength} characters.");
        }
        if (CommonPasswords.Contains(password))
        {
            return validation.Add(field, $"{field} is too common or too easy to guess.");
        }
        return ContainsEmail(password, email) ? validation.Add(field, $"{field} must not contain the email address.") : validation;
    }

    private static bool ContainsEmail(string password, string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return false;
        }
        var normalized = NormalizeEmail(email);
        var local = normalized.Split('@')[0];
        var lower = password.ToLowerInvariant();
        return lower.Contains(normalized, StringComparison.Ordinal) || (local.Length >= 3 && lower.Contains(local, StringComparison.Ordinal));
    }
}
