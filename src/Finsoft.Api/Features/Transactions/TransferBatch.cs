using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Transactions;

/// <summary>
/// Up to 1,000 transfers in one request, made in one database transaction. Each has its own result
/// and may carry its own idempotency key; `atomic: true` links them, so all are made or none is.
/// </summary>
public static class TransferBatch
{
    public const int MaxTransfers = 1000;

    public sealed record Item(
        Guid? OriginAccountId,
        Guid? DestinationAccountId,
        [property: JsonConverter(typeof(AmountTextConverter))] string? Amount,
        string? Description,
        string? IdempotencyKey = null,
        bool? Hold = null,
        DateTime? ExpiresAt = null);

    public sealed record Request(List<Item>? Transfers, bool? Atomic = null);

    /// <summary>One transfer's result: the transaction when made (201), the problem when refused.</summary>
    public sealed record ItemResult(int Index, int Status, bool Replayed, MovementResponse? Transaction, ProblemBody? Error);

    public sealed record Response(bool Atomic, int Succeeded, int Failed, List<ItemResult> Results);

    /// <summary>The operation an item's key is remembered under: a batch item, not a single transfer.</summary>
    private const string ItemOperation = "POST /api/v1/transactions/batch#item";

    public static async Task<JsonBody> Handle(Request request, HttpContext http, FinsoftDb db, AccountFacts accounts, MoneyEngine engine,
        TimeProvider time, IOptions<FinsoftOptions> options, CancellationToken ct)
    {
        if (request.Transfers is not { Count: > 0 and <= MaxTransfers } items)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["transfers"] = [$"transfers must hold 1 to {MaxTransfers} transfers."] });
        }
        var badKey = items.FindIndex(i => i is null || (i.IdempotencyKey is { } key && !IdempotencyTicket.IsValidKey(key)));
        if (badKey >= 0)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { [$"transfers[{badKey}]"] = ["Each transfer must be an object; idempotency_key must be 1 to 255 printable characters."] });
        }
        var user = CurrentUser.From(http.User);
        var atomic = request.Atomic == true;
        // One read warms the account cache for every item instead of one read per item.
        await accounts.GetAsync(db, items.SelectMany(i => new[] { i.OriginAccountId, i.DestinationAccountId }).OfType<Guid>().ToList(), ct);

        var now = time.UtcNow();
        var results = new JsonBody?[items.Count];
        var orders = new List<(int Index, MoneyOrder Order)>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var single = new Transfer.Request(item.OriginAccountId, item.DestinationAccountId, item.Amount, item.Description, item.Hold, item.ExpiresAt);
            var (order, problem) = await Transfer.OrderAsync(single, user, db, accounts, now, options.Value.Engine, ct);
            if (problem is not null)
            {
                results[i] = problem;
                continue;
            }
            var ticket = item.IdempotencyKey is { } key ? new IdempotencyTicket(user.Id, key, IdempotencyTicket.FingerprintOf(ItemOperation, single)) : null;
            orders.Add((i, order! with { Ticket = ticket }));
        }

        if (atomic && orders.Count < items.Count)
        {
            // Linked transfers: one invalid item and none is attempted.
            var aborted = LedgerError.BatchAborted.ToProblem();
            return Render(atomic, results.Select(r => r ?? aborted).ToArray());
        }
        if (orders.Count > 0)
        {
            var made = await engine.SubmitAsync(new EngineJob(orders.Select(o => o.Order).ToList(), atomic), ct);
            for (var n = 0; n < orders.Count; n++)
            {
                results[orders[n].Index] = made[n];
            }
        }
        return Render(atomic, results.Select(r => r!).ToArray());
    }

    /// <summary>Writes the response around each item's stored JSON, so a replayed item is byte for byte what it was.</summary>
    private static JsonBody Render(bool atomic, JsonBody[] results)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("atomic", atomic);
            json.WriteNumber("succeeded", results.Count(r => r.StatusCode < 400));
            json.WriteNumber("failed", results.Count(r => r.StatusCode >= 400));
            json.WriteStartArray("results");
            for (var i = 0; i < results.Length; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("index", i);
                json.WriteNumber("status", results[i].StatusCode);
                json.WriteBoolean("replayed", results[i].Headers.ContainsKey(IdempotencyTicket.ReplayedHeader));
                json.WritePropertyName(results[i].StatusCode < 400 ? "transaction" : "error");
                json.WriteRawValue(results[i].Json, skipInputValidation: true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return new JsonBody(StatusCodes.Status200OK, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
