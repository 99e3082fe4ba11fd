using System.Buffers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Events;

/// <summary>
/// The pull feed of the event outbox, oldest first from a position: staff see every event, a customer
/// those about accounts it holds. A client stores the last position it handled and asks `after` it;
/// positions only grow, and one never appears behind another already read.
/// </summary>
public static class EventFeed
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>One event as the feed shows it (`data` is the transaction, hold or account as the API shows it).</summary>
    public sealed record Item(long Position, string Type, DateTime OccurredAt, JsonElement Data);

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/events", Handle).WithTags("Events").RequireAuthorization(Policies.SignedIn)
            .Produces<List<Item>>().ProducesError(400, 401, 422);
        return app;
    }

    public static async Task<JsonBody> Handle(long? after, int? limit, string? type, HttpRequest http, ClaimsPrincipal principal, FinsoftDb db,
        CancellationToken ct)
    {
        var validation = new Validation();
        if (after is < 0)
        {
            validation.Add("after", "after must be a position, 0 or more.");
        }
        if (limit is < 1 or > MaxLimit)
        {
            validation.Add("limit", $"limit must be between 1 and {MaxLimit}.");
        }
        if (type is not null && !EventTypes.All.Contains(type))
        {
            validation.Add("type", $"type must be one of {string.Join(", ", EventTypes.All.Order(StringComparer.Ordinal))}.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var (from, size) = (after ?? 0, limit ?? DefaultLimit);
        var query = (await db.EventsVisibleToAsync(CurrentUser.From(principal), ct)).AsNoTracking().Where(e => e.Position > from);
        if (type is not null)
        {
            query = query.Where(e => e.Type == type);
        }
        var rows = await query.OrderBy(e => e.Position).Take(size + 1).ToListAsync(ct);
        var body = Render(rows.Take(size));
        if (rows.Count > size)
        {
            var next = http.Query.Where(q => q.Key is not "after" and not "limit")
                .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
                .Append($"limit={size}").Append($"after={rows[size - 1].Position}");
            body.Headers["Link"] = $"<{http.PathBase}{http.Path}?{string.Join('&', next)}>; rel=\"next\"";
        }
        return body;
    }

    /// <summary>Writes the page around each event's stored JSON, so the data is byte for byte what was recorded.</summary>
    private static JsonBody Render(IEnumerable<EventRow> rows)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteNumber("position", row.Position);
                json.WriteString("type", row.Type);
                json.WritePropertyName("occurred_at");
                JsonSerializer.Serialize(json, row.OccurredAt, Json.Options);
                json.WritePropertyName("data");
                json.WriteRawValue(row.Data, skipInputValidation: true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return new JsonBody(StatusCodes.Status200OK, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
