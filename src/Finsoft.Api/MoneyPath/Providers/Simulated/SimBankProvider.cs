using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Providers.Simulated;

/// <summary>
/// The bank pay-in provider, with its own formats: sources `sb_src_…`, transfers `sb_tr_…`, refunds `sb_rf_…`,
/// flat events (`transfer.settled`, `transfer.rejected`, `refund.settled`, …) and its own signature:
/// `SimBank-Timestamp: &lt;unix&gt;` with `SimBank-Signature: sha256=&lt;base64 HMAC-SHA256 of "timestamp:body"&gt;`.
/// </summary>
public sealed class SimBankProvider(FinsoftDb db, IOptions<FinsoftOptions> options, ProviderSecrets secrets, TimeProvider time)
    : SimulatedProvider(db, options, secrets, time)
{
    public const string TimestampHeader = "SimBank-Timestamp";
    public const string SignatureHeader = "SimBank-Signature";

    public override string Name => PaymentProviders.BankAccounts;

    protected override string TokenPrefix => "sb_src_";

    protected override string ChargePrefix => "sb_tr_";

    protected override string RefundPrefix => "sb_rf_";

    public override IReadOnlyDictionary<string, string> Sign(byte[] body, DateTimeOffset now)
    {
        var t = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            [TimestampHeader] = t, [SignatureHeader] = "sha256=" + Convert.ToBase64String(WebhookSignature.Mac(Secret, t, ':', body)),
        };
    }

    public override (ProviderEvent? Event, string? Refusal) ReadWebhook(WebhookDelivery delivery, DateTimeOffset now)
    {
        delivery.Headers.TryGetValue(TimestampHeader, out var t);
        if (WebhookSignature.Stale(t, now) is { } stale)
        {
            return (null, stale);
        }
        if (!delivery.Headers.TryGetValue(SignatureHeader, out var header) || !header.StartsWith("sha256=", StringComparison.Ordinal))
        {
            return (null, $"The {SignatureHeader} header is missing.");
        }
        var offered = WebhookSignature.Decode(header["sha256=".Length..], Convert.FromBase64String);
        if (offered is null || !WebhookSignature.Matches(WebhookSignature.Mac(Secret, t!, ':', delivery.Body), [offered]))
        {
            return (null, "The signature does not match the body.");
        }
        return Parse(delivery.Body);
    }

    protected override string Event(SimulatedOutcome outcome, string objectId, Guid reference, long amount, string currency, string? failure) => new JsonObject
    {
        ["event_id"] = NewId("sbev_"),
        ["event"] = outcome switch
        {
            SimulatedOutcome.ChargeProcessing => "transfer.pending",
            SimulatedOutcome.ChargeSucceeded => "transfer.settled",
            SimulatedOutcome.ChargeFailed => "transfer.rejected",
            SimulatedOutcome.RefundSucceeded => "refund.settled",
            _ => "refund.rejected",
        },
        ["occurred_at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        ["object_id"] = objectId, ["reference"] = reference.ToString(), ["amount"] = amount, ["currency"] = currency,
        ["reason"] = failure,
    }.ToJsonString();

    private static (ProviderEvent?, string?) Parse(byte[] body)
    {
        try
        {
            var root = JsonNode.Parse(body)!.AsObject();
            if ((string?)root["event_id"] is not { Length: > 0 and <= 255 } id || (string?)root["event"] is not { Length: > 0 and <= 255 } type)
            {
                return (null, "The event has no event_id or no event.");
            }
            var kind = type switch
            {
                "transfer.pending" => ProviderEventKind.ChargeProcessing,
                "transfer.settled" => ProviderEventKind.ChargeSucceeded,
                "transfer.rejected" => ProviderEventKind.ChargeFailed,
                "refund.settled" => ProviderEventKind.RefundSucceeded,
                "refund.rejected" => ProviderEventKind.RefundFailed,
                _ => ProviderEventKind.Other,
            };
            var reference = Guid.TryParse((string?)root["reference"], out var r) ? r : (Guid?)null;
            return (new ProviderEvent(id, type, kind, reference, (string?)root["object_id"], (string?)root["reason"])
            {
                Amount = (long?)root["amount"], Currency = (string?)root["currency"],
            }, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or OverflowException)
        {
            return (null, "The event is not a JSON object with an event_id and an event.");
        }
    }
}
