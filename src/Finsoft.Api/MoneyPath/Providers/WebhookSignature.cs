using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Finsoft.Api.MoneyPath.Providers;

/// <summary>The primitives providers' webhook signatures share: an HMAC-SHA256 over a timestamp and the body, a clock tolerance, a constant-time check.</summary>
public static class WebhookSignature
{
    /// <summary>How far a signature's timestamp may be from our clock, either way, before the event counts as stale (or replayed).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static byte[] Mac(string secret, string timestamp, char separator, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + separator);
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }

    /// <summary>Whether any of the offered signatures is the expected one; compares every byte whatever it finds.</summary>
    public static bool Matches(byte[] expected, IEnumerable<byte[]> offered)
    {
        var found = false;
        foreach (var candidate in offered)
        {
            found |= CryptographicOperations.FixedTimeEquals(expected, candidate);
        }
        return found;
    }

    /// <summary>The refusal for a timestamp that is not a number of seconds within the tolerance of now; null when it is fresh.</summary>
    public static string? Stale(string? timestamp, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return "The signature's timestamp is missing or not a number of seconds.";
        }
        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        return age.Duration() > Tolerance ? "The signature's timestamp is more than five minutes from now." : null;
    }

    /// <summary>The bytes an offered signature spells, or null when it is not valid hex or base64 (then it matches nothing).</summary>
    public static byte[]? Decode(string text, Func<string, byte[]> decode)
    {
        try
        {
            return decode(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
