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

    public static string Encode(DateTime createdAt, Guid id) => KeysetCursor.Encode(createdAt.Ticks, id);

    private static bool TryDecode(string cursor, out DateTime createdAt, out Guid id)
    {
        createdAt = default;
        if (KeysetCursor.TryDecode(cursor, out var ticks, out id) && ticks <= DateTime.MaxValue.Ticks)
        {
            createdAt = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }
        return false;
    }
}

/// <summary>The opaque cursor of a keyset page: the last row's sort key (ticks, a day number, an amount; never negative) and its id.</summary>
public static class KeysetCursor
{
    public static string Encode(long key, Guid id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{key.ToString(CultureInfo.InvariantCulture)}:{id:N}"));

    public static bool TryDecode(string cursor, out long key, out Guid id)
    {
        key = 0;
        id = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out key)
                && Guid.TryParseExact(parts[1], "N", out id);
        }
        catch (FormatException)
        {
            return false;
        }
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
        HttpRequest request, Func<TRow, TDto> toDto, CancellationToken ct) where TRow : class, IKeyedRow =>
        Of(request, await ReadRowsAsync(query, page, newestFirst, ct), page, toDto);

    /// <summary>The page's rows plus one (to know whether another follows), for a caller that reads more about them before <see cref="Of"/>.</summary>
    public static async Task<List<TRow>> ReadRowsAsync<TRow>(IQueryable<TRow> query, PageRequest page, bool newestFirst, CancellationToken ct)
        where TRow : class, IKeyedRow
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
        return await query.AsNoTracking().Take(page.Limit + 1).ToListAsync(ct);
    }

    /// <summary>Returns the page as a JSON array, adding the Link header when more rows exist.</summary>
    public static JsonBody Of<TRow, TDto>(HttpRequest request, IReadOnlyList<TRow> rowsPlusOne, PageRequest page, Func<TRow, TDto> toDto)
        where TRow : IKeyedRow
    {
        var rows = rowsPlusOne.Take(page.Limit).ToList();
        var body = ApiResults.Ok(rows.Select(toDto).ToList());
        if (rowsPlusOne.Count > page.Limit)
        {
            AnnounceNext(body, request, page.Limit, PageRequest.Encode(rows[^1].CreatedAt, rows[^1].Id));
        }
        return body;
    }

    /// <summary>Adds `Link: &lt;this query, with the cursor of the page after&gt;; rel="next"`.</summary>
    public static void AnnounceNext(JsonBody body, HttpRequest request, int limit, string cursor)
    {
        var query = request.Query
            .Where(q => q.Key is not "cursor" and not "limit")
            .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Append($"limit={limit}")
            .Append($"cursor={cursor}");
        body.Headers["Link"] = $"<{request.PathBase}{request.Path}?{string.Join('&', query)}>; rel=\"next\"";
    }
}
