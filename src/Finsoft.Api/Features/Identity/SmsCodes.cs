using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.Infrastructure.Sms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Identity;

/// <summary>What an SMS code is for: enrolling a phone, signing in, or confirming a change (turning MFA off).</summary>
public static class SmsCodePurpose
{
    public const string Enrol = "enrol";
    public const string SignIn = "sign_in";
    public const string Confirm = "confirm";
}

/// <summary>
/// Sends and claims SMS one-time codes: six random digits, encrypted at rest, good for <see cref="SmsOptions.CodeMinutes"/> and
/// once (claimed by a conditional update, so two requests with one code cannot both pass). A user has one live code; a new one
/// replaces it, at most every <see cref="SmsOptions.ResendSeconds"/> and <see cref="SmsOptions.MaxSends"/> times a window. Wrong
/// codes count towards the sign-in lockout where they are tried (<see cref="SignInGuard"/>).
/// </summary>
public sealed class SmsCodes(IEnumerable<ISmsSender> senders, SensitiveData sensitive, IOptions<FinsoftOptions> options, TimeProvider time)
{
    private readonly ISmsSender? _sender = senders.LastOrDefault();
    private readonly SmsOptions _sms = options.Value.Sms;

    /// <summary>False when no sender is configured: SMS MFA cannot be enrolled.</summary>
    public bool Available => _sender is not null;

    /// <summary>A code was sent (<see cref="Phone"/> masked), or none was: try again after <see cref="RetryAfter"/>.</summary>
    public sealed record Outcome(string? Phone, DateTime? ExpiresAt, TimeSpan? RetryAfter);

    public async Task<Outcome> SendAsync(FinsoftDb db, Guid userId, string purpose, string phone, CancellationToken ct)
    {
        if (_sender is null)
        {
            throw new InvalidOperationException("No SMS sender is configured.");
        }
        var now = time.UtcNow();
        var last = await db.MfaSmsCodes.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId, ct);
        var windowOpen = last is not null && last.WindowStart > now.AddMinutes(-_sms.WindowMinutes);
        if (last is not null && last.SentAt.AddSeconds(_sms.ResendSeconds) > now)
        {
            return new Outcome(null, null, last.SentAt.AddSeconds(_sms.ResendSeconds) - now);
        }
        if (windowOpen && last!.Sends >= _sms.MaxSends)
        {
            return new Outcome(null, null, last.WindowStart.AddMinutes(_sms.WindowMinutes) - now);
        }
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var (sealedCode, sealedPhone, expires) = (sensitive.Protect(code), sensitive.Protect(phone), now.AddMinutes(_sms.CodeMinutes));
        var busy = new Outcome(null, null, TimeSpan.FromSeconds(_sms.ResendSeconds));
        if (last is null)
        {
            db.MfaSmsCodes.Add(new MfaSmsCodeRow
            {
                UserId = userId, Purpose = purpose, Phone = sealedPhone, Code = sealedCode, ExpiresAt = expires, SentAt = now, WindowStart = now, Sends = 1,
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
                return busy; // another request sent one at the same moment
            }
        }
        else
        {
            // Replaces the code as it was read: of two requests at once, one sends.
            var (windowStart, sends) = windowOpen ? (last.WindowStart, last.Sends + 1) : (now, 1);
            if (await db.MfaSmsCodes.Where(c => c.UserId == userId && c.SentAt == last.SentAt).ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.Purpose, purpose).SetProperty(c => c.Phone, sealedPhone).SetProperty(c => c.Code, sealedCode)
                    .SetProperty(c => c.ExpiresAt, expires).SetProperty(c => c.SentAt, now).SetProperty(c => c.WindowStart, windowStart)
                    .SetProperty(c => c.Sends, sends), ct) != 1)
            {
                return busy;
            }
        }
        await _sender.SendAsync(phone, $"Your Finsoft code is {code}. It expires in {_sms.CodeMinutes} minutes; never share it.", ct);
        return new Outcome(Mask(phone), expires, null);
    }

    /// <summary>
    /// The phone the code went to, when <paramref name="code"/> is the user's live code for <paramref name="purpose"/>: claimed
    /// now, so it never works again. Null otherwise.
    /// </summary>
    public async Task<string?> ClaimAsync(FinsoftDb db, Guid userId, string purpose, string? code, CancellationToken ct)
    {
        var typed = code?.Trim() ?? "";
        if (typed.Length != 6)
        {
            return null;
        }
        var now = time.UtcNow();
        var live = await db.MfaSmsCodes.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId && c.Purpose == purpose && c.ExpiresAt > now, ct);
        if (live is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sensitive.Reveal(live.Code)), Encoding.UTF8.GetBytes(typed)))
        {
            return null;
        }
        // The row stays, counting the sends of its window; the code goes.
        var claimed = await db.MfaSmsCodes.Where(c => c.UserId == userId && c.SentAt == live.SentAt && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ExpiresAt, now).SetProperty(c => c.Code, ""), ct);
        return claimed == 1 ? sensitive.Reveal(live.Phone) : null;
    }

    /// <summary>E.164: a plus, then 8 to 15 digits, the first not zero.</summary>
    public static bool IsPhone(string? phone) =>
        phone is { Length: >= 9 and <= 16 } && phone[0] == '+' && phone[1] != '0' && phone.Skip(1).All(char.IsAsciiDigit);

    /// <summary>Enough of the number for its owner to recognise it: "+52••••••1234".</summary>
    public static string Mask(string phone) => phone[..3] + new string('•', phone.Length - 7) + phone[^4..];
}
