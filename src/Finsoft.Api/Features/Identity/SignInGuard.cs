using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Identity;

/// <summary>
/// Lockout and second-factor checks, shared by password login, MFA login and turning MFA off. A wrong
/// password and a wrong code both count as failures; enough of them within the window lock the user
/// out for the window's length, whatever they present meanwhile.
/// </summary>
public sealed class SignInGuard(IOptions<FinsoftOptions> options, TimeProvider time, AuditTrail audit, SensitiveData sensitive, SmsCodes sms)
{
    private readonly LockoutOptions _lockout = options.Value.Lockout;

    public bool IsLocked(UserRow user) => user.LockedUntil > time.UtcNow();

    /// <summary>
    /// Counts a failure with one UPDATE computed from the row itself (racing failures all count) and
    /// reads the count back before commit, while the row is still locked, so exactly one failure sees
    /// the limit reached and records the lockout.
    /// </summary>
    public async Task RecordFailureAsync(FinsoftDb db, UserRow user, string @event, object details)
    {
        var now = time.UtcNow();
        var windowStart = now.AddMinutes(-_lockout.Minutes);
        var lockUntil = now.AddMinutes(_lockout.Minutes);
        var max = _lockout.MaxFailures;
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.FailedLogins, u => u.FailureWindowStart == null || u.FailureWindowStart < windowStart ? 1 : u.FailedLogins + 1)
            .SetProperty(u => u.FailureWindowStart, u => u.FailureWindowStart == null || u.FailureWindowStart < windowStart ? now : u.FailureWindowStart)
            .SetProperty(u => u.LockedUntil, u => (u.FailureWindowStart == null || u.FailureWindowStart < windowStart ? 1 : u.FailedLogins + 1) >= max
                ? lockUntil : u.LockedUntil), CancellationToken.None);
        var failures = await db.Users.Where(u => u.Id == user.Id).Select(u => u.FailedLogins).SingleAsync(CancellationToken.None);
        audit.Add(db, @event, null, user.Id, details);
        if (failures == max)
        {
            audit.Add(db, AuditEvents.LockedOut, null, user.Id, new { failures, minutes = _lockout.Minutes });
        }
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    public async Task ClearFailuresAsync(FinsoftDb db, UserRow user, CancellationToken ct)
    {
        if (user.FailedLogins != 0 || user.LockedUntil is not null)
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.FailedLogins, 0).SetProperty(u => u.FailureWindowStart, (DateTime?)null).SetProperty(u => u.LockedUntil, (DateTime?)null), ct);
            // The row in hand says so too: the user it answers (a sign-in's) shows no lapsed lock.
            (user.FailedLogins, user.FailureWindowStart, user.LockedUntil) = (0, null, null);
        }
    }

    /// <summary>
    /// Accepts a TOTP code for a step later than the last one used (claimed by a conditional UPDATE, so
    /// two requests with one code cannot both pass), the live SMS code sent for <paramref name="purpose"/> (claimed the same
    /// way), or an unused recovery code (likewise). Returns which factor passed, or null.
    /// </summary>
    public async Task<string?> ConsumeSecondFactorAsync(FinsoftDb db, UserRow user, string? code, string purpose, CancellationToken ct)
    {
        if (!user.MfaEnabled || string.IsNullOrWhiteSpace(code))
        {
            return null;
        }
        if (user.MfaMethod == "sms" && await sms.ClaimAsync(db, user.Id, purpose, code, ct) is not null)
        {
            return "sms";
        }
        if (user.MfaSecret is { } sealedSecret && Totp.MatchStep(Totp.FromBase32(sensitive.Reveal(sealedSecret)), code.Trim(), time.GetUtcNow()) is { } step)
        {
            var claimed = await db.Users.Where(u => u.Id == user.Id && (u.MfaLastStep == null || u.MfaLastStep < step))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.MfaLastStep, step), ct);
            return claimed == 1 ? "totp" : null;
        }
        var hash = RecoveryCodes.Hash(code);
        var now = time.UtcNow();
        var used = await db.MfaRecoveryCodes.Where(c => c.UserId == user.Id && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), ct);
        return used == 1 ? "recovery_code" : null;
    }
}

/// <summary>Ten single-use recovery codes ("xxxxx-xxxxx", 50 random bits each), stored only as hashes.</summary>
public static class RecoveryCodes
{
    public const int Count = 10;
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static List<string> Generate() => Enumerable.Range(0, Count).Select(_ =>
    {
        var chars = RandomNumberGenerator.GetItems<char>(Alphabet, 10);
        return $"{new string(chars, 0, 5)}-{new string(chars, 5, 5)}";
    }).ToList();

    /// <summary>Hyphens, spaces and case do not matter when a code is typed back.</summary>
    public static string Hash(string code)
    {
        var normalized = new string(code.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }
}
