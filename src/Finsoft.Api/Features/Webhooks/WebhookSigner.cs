using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Finsoft.Api.Features.Webhooks;

/// <summary>
/// Signs deliveries as the Standard Webhooks specification says: `webhook-id`, `webhook-timestamp` (unix
/// seconds) and `webhook-signature: v1,&lt;base64 HMAC-SHA256 of "id.timestamp.body"&gt;`, keyed by the bytes
/// the `whsec_` secret encodes. While a rotated-out secret still signs, both signatures are sent, space-separated.
/// </summary>
public static class WebhookSigner
{
    private const string Prefix = "whsec_";

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static IReadOnlyDictionary<string, string> Headers(string messageId, DateTimeOffset now, byte[] body, IEnumerable<string> secrets)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.").Concat(body).ToArray();
        var signatures = secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret[Prefix.Length..]), signed)));
        return new Dictionary<string, string>
        {
            ["webhook-id"] = messageId, ["webhook-timestamp"] = timestamp, ["webhook-signature"] = string.Join(' ', signatures),
        };
    }
}
