using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Http;

/// <summary>
/// Keyset pagination: the cursor is an opaque token for the last row's (created_at, id); the next
/// page is announced in a `Link: &lt;…&gt;; rel="next"` header.
/// </summary>
public readonly record struct PageRequest(int Limit, DateTime? AfterCreatedAt, Guid? AfterId)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static bool TryParse(int? limit, string? cursor, out PageRequest page, out JsonBody? problem)
    {
        page = default;
        problem = null;
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            problem = ApiResults.Invalid(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxLimit}."] });
            return false;
        }
        if (string.IsNullOrEmpty(cursor))
        {
            page = new PageRequest(size, null, null);
            return true;
        }
        if (!TryDecode(cursor, out var createdAt, out var id))
        {
            problem = ApiResults.Invalid(new Dictionary<string, string[]> { ["cursor"] = ["cursor is not valid."] });
            return false;
        }
        page = new PageRequest(size, createdAt, id);
        return true;
    }

    public static string Encode(DateTime createdAt, Guid id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{createdAt.Ticks.ToString(CultureInfo.InvariantCulture)}:{id:N}"));

    private static bool TryDecode(string cursor, out DateTime createdAt, out Guid id)
    {
        createdAt = default;
        id = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks && Guid.TryParseExact(parts[1], "N", out id))
            {
                createdAt = new DateTime(ticks, DateTimeKind.Utc);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}

/// <summary>A row listed by keyset pagination: ordered by creation time, ties broken by id.</summary>
public interface IKeyedRow
{
    DateTime CreatedAt { get; }

    Guid Id { get; }
}

public static class PageResponse
{
    /// <summary>
    /// Reads one page (plus one row, to know whether another follows) after the cursor, oldest first or
    /// newest first, and answers it as a JSON array with a Link header to the next page.
    /// </summary>
    public static async Task<JsonBody> ReadAsync<TRow, TDto>(IQueryable<TRow> query, PageRequest page, bool newestFirst,
        HttpRequest request, Func<TRow, TDto> toDto, CancellationToken ct) where TRow : class, IKeyedRow
    {
        if (page.AfterCreatedAt is { } after && page.AfterId is { } afterId)
        {
            query = newestFirst
                ? query.Where(r => r.CreatedAt < after || (r.CreatedAt == after && r.Id.CompareTo(afterId) < 0))
                : query.Where(r => r.CreatedAt > after || (r.CreatedAt == after && r.Id.CompareTo(afterId) > 0));
        }
        query = newestFirst
            ? query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            : query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id);
        var rows = await query.AsNoTracking().Take(page.Limit + 1).ToListAsync(ct);
        return Of(request, rows, page, toDto);
    }

    /// <summary>Returns the page as a JSON array, adding the Link header when more rows exist.</summary>
    private static JsonBody Of<TRow, TDto>(HttpRequest request, IReadOnlyList<TRow> rowsPlusOne, PageRequest page, Func<TRow, TDto> toDto)
        where TRow : IKeyedRow
    {
        var rows = rowsPlusOne.Take(page.Limit).ToList();
        var body = ApiResults.Ok(rows.Select(toDto).ToList());
        if (rowsPlusOne.Count > page.Limit)
        {
            var (createdAt, id) = (rows[^1].CreatedAt, rows[^1].Id);
            var query = request.Query
                .Where(q => q.Key is not "cursor" and not "limit")
                .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
                .Append($"limit={page.Limit}")
                .Append($"cursor={PageRequest.Encode(createdAt, id)}");
            body.Headers["Link"] = $"<{request.PathBase}{request.Path}?{string.Join('&', query)}>; rel=\"next\"";
        }
        return body;
    }
}
