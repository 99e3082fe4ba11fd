using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Providers.Simulated;

/// <summary>
/// The Stripe-like card provider: tokens `tok_simcard_…`, payment intents `pi_…`, refunds `re_…`, and events
/// shaped and signed as Stripe's are — `Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;`, where
/// several v1 entries may be offered while a secret is being rolled.
/// </summary>
public sealed class SimCardProvider(FinsoftDb db, IOptions<FinsoftOptions> options, ProviderSecrets secrets, TimeProvider time)
    : SimulatedProvider(db, options, secrets, time)
{
    public const string SignatureHeader = "Stripe-Signature";

    public override string Name => PaymentProviders.Cards;

    protected override string TokenPrefix => "tok_simcard_";

    protected override string ChargePrefix => "pi_";

    protected override string RefundPrefix => "re_";

    public override IReadOnlyDictionary<string, string> Sign(byte[] body, DateTimeOffset now)
    {
        var t = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string> { [SignatureHeader] = $"t={t},v1={Convert.ToHexStringLower(WebhookSignature.Mac(Secret, t, '.', body))}" };
    }

    public override (ProviderEvent? Event, string? Refusal) ReadWebhook(WebhookDelivery delivery, DateTimeOffset now)
    {
        if (!delivery.Headers.TryGetValue(SignatureHeader, out var header))
        {
            return (null, $"The {SignatureHeader} header is missing.");
        }
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToList();
        var t = parts.FirstOrDefault(p => p[0] == "t")?[1];
        if (WebhookSignature.Stale(t, now) is { } stale)
        {
            return (null, stale);
        }
        var offered = parts.Where(p => p[0] == "v1").Select(p => WebhookSignature.Decode(p[1], Convert.FromHexString)).OfType<byte[]>();
        if (!WebhookSignature.Matches(WebhookSignature.Mac(Secret, t!, '.', delivery.Body), offered))
        {
            return (null, "No signature matches the body.");
        }
        return Parse(delivery.Body);
    }

    protected override string Event(SimulatedOutcome outcome, string objectId, Guid reference, long amount, string currency, string? failure)
    {
        var (type, status, objectKind) = outcome switch
        {
            SimulatedOutcome.ChargeProcessing => ("payment_intent.processing", "processing", "payment_intent"),
            SimulatedOutcome.ChargeSucceeded => ("payment_intent.succeeded", "succeeded", "payment_intent"),
            SimulatedOutcome.ChargeFailed => ("payment_intent.payment_failed", "requires_payment_method", "payment_intent"),
            SimulatedOutcome.RefundSucceeded => ("charge.refunded", "succeeded", "refund"),
            _ => ("refund.failed", "failed", "refund"),
        };
        var data = new JsonObject
        {
            ["id"] = objectId, ["object"] = objectKind, ["amount"] = amount, ["currency"] = currency.ToLowerInvariant(), ["status"] = status,
            ["metadata"] = new JsonObject { ["finsoft_reference"] = reference.ToString() },
        };
        if (failure is not null)
        {
            data[objectKind == "refund" ? "failure_reason" : "last_payment_error"] = objectKind == "refund" ? failure : new JsonObject { ["message"] = failure };
        }
        return new JsonObject
        {
            ["id"] = NewId("evt_"), ["object"] = "event", ["type"] = type, ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = data },
        }.ToJsonString();
    }

    private static (ProviderEvent?, string?) Parse(byte[] body)
    {
        try
        {
            var root = JsonNode.Parse(body)!.AsObject();
            if ((string?)root["id"] is not { Length: > 0 and <= 255 } id || (string?)root["type"] is not { Length: > 0 and <= 255 } type)
            {
                return (null, "The event has no id or no type.");
            }
            var data = root["data"]?["object"];
            var reference = Guid.TryParse((string?)data?["metadata"]?["finsoft_reference"], out var r) ? r : (Guid?)null;
            var kind = type switch
            {
                "payment_intent.processing" => ProviderEventKind.ChargeProcessing,
                "payment_intent.succeeded" => ProviderEventKind.ChargeSucceeded,
                "payment_intent.payment_failed" => ProviderEventKind.ChargeFailed,
                "charge.refunded" => ProviderEventKind.RefundSucceeded,
                "refund.failed" => ProviderEventKind.RefundFailed,
                _ => ProviderEventKind.Other,
            };
            var failure = (string?)data?["last_payment_error"]?["message"] ?? (data?["failure_reason"] is JsonValue v ? (string?)v : null);
            return (new ProviderEvent(id, type, kind, reference, (string?)data?["id"], failure)
            {
                Amount = (long?)data?["amount"], Currency = ((string?)data?["currency"])?.ToUpperInvariant(),
            }, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or OverflowException)
        {
            return (null, "The event is not a JSON object with an id and a type.");
        }
    }
}
