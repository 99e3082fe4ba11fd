using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Records;

/// <summary>
/// Lists live records with filters (dates, category, type, amount range in a currency), free-text
/// search over category and notes, and a sort by date or amount, keyset-paginated on (sort key, id).
/// </summary>
public static class ListRecords
{
    private static readonly string[] Sorts = ["date", "-date", "amount", "-amount"];

    public static async Task<JsonBody> Handle(DateOnly? from, DateOnly? to, string? category, string? type, string? currency, [FromQuery(Name = "min_amount")] string? minAmount,
        [FromQuery(Name = "max_amount")] string? maxAmount, string? q, [FromQuery(Name = "user_id")] Guid? userId, string? sort, int? limit, string? cursor, HttpRequest http, ClaimsPrincipal principal,
        FinsoftDb db, Infrastructure.Security.PersonalData personal, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var validation = new Validation();
        sort ??= "-date";
        if (!Sorts.Contains(sort))
        {
            validation.Add("sort", "sort must be date, -date, amount or -amount.");
        }
        if (type is not null and not (RecordType.Income or RecordType.Expense))
        {
            validation.Add("type", "type must be income or expense.");
        }
        if (from > to)
        {
            validation.Add("from", "from must not be after to.");
        }
        if (q?.Length > 100 || category?.Length > RecordHandlers.CategoryMaxLength)
        {
            validation.Add("q", "q and category must be at most 100 characters.");
        }
        var money = currency is null ? null : validation.Currency("currency", currency);
        if ((minAmount ?? maxAmount) is not null && money is null && currency is null)
        {
            validation.Add("currency", "an amount range needs the currency it is in.");
        }
        var min = minAmount is null || money is null ? null : validation.Amount("min_amount", minAmount, money);
        var max = maxAmount is null || money is null ? null : validation.Amount("max_amount", maxAmount, money);
        if (userId is not null && !user.SeesEveryonesRecords())
        {
            validation.Add("user_id", "only analysts and admins filter by user.");
        }
        if (!PageRequest.TryParse(limit, null, out var page, out var problem))
        {
            return problem!;
        }
        (long Key, Guid Id)? after = null;
        if (cursor is not null)
        {
            if (KeysetCursor.TryDecode(cursor, out var key, out var lastId) && !(sort.EndsWith("date", StringComparison.Ordinal) && key > DateOnly.MaxValue.DayNumber))
            {
                after = (key, lastId);
            }
            else
            {
                validation.Add("cursor", "cursor is not valid.");
            }
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }

        var query = db.Records.AsNoTracking().VisibleTo(user).Where(r => r.DeletedAt == null);
        if (userId is { } owner)
        {
            query = query.Where(r => r.UserId == owner);
        }
        if (from is { } f)
        {
            query = query.Where(r => r.Date >= f);
        }
        if (to is { } t)
        {
            query = query.Where(r => r.Date <= t);
        }
        if (category is not null)
        {
            query = query.Where(r => r.Category == category);
        }
        if (type is not null)
        {
            query = query.Where(r => r.Type == type);
        }
        if (money is not null)
        {
            query = query.Where(r => r.Currency == money.Code);
        }
        if (min is { } low)
        {
            query = query.Where(r => r.Amount >= low.Minor);
        }
        if (max is { } high)
        {
            query = query.Where(r => r.Amount <= high.Minor);
        }
        if (!string.IsNullOrWhiteSpace(q))
        {
            var term = q.Trim().ToLowerInvariant();
            query = query.Where(r => r.Category.ToLower().Contains(term)); // notes are sealed per person (ADR 0013): not searchable
        }
        query = Order(query, sort, after);
        var rows = await query.Take(page.Limit + 1).ToListAsync(ct);
        var keys = await personal.KeysOfAsync(db, rows.Select(r => r.UserId), ct);
        var body = ApiResults.Ok(rows.Take(page.Limit).Select(r => RecordDto.From(r, keys.GetValueOrDefault(r.UserId, Infrastructure.Security.PersonKey.Shredded))).ToList());
        if (rows.Count > page.Limit)
        {
            var last = rows[page.Limit - 1];
            PageResponse.AnnounceNext(body, http, page.Limit,
                KeysetCursor.Encode(sort.EndsWith("amount", StringComparison.Ordinal) ? last.Amount : last.Date.DayNumber, last.Id));
        }
        return body;
    }

    /// <summary>Sorted by the key, ties by id in the same direction, starting after the cursor's row.</summary>
    private static IQueryable<RecordRow> Order(IQueryable<RecordRow> query, string sort, (long Key, Guid Id)? after)
    {
        switch (sort)
        {
            case "date":
                if (after is { } a)
                {
                    var day = DateOnly.FromDayNumber((int)a.Key);
                    query = query.Where(r => r.Date > day || (r.Date == day && r.Id.CompareTo(a.Id) > 0));
                }
                return query.OrderBy(r => r.Date).ThenBy(r => r.Id);
            case "-date":
                if (after is { } b)
                {
                    var day = DateOnly.FromDayNumber((int)b.Key);
                    query = query.Where(r => r.Date < day || (r.Date == day && r.Id.CompareTo(b.Id) < 0));
                }
                return query.OrderByDescending(r => r.Date).ThenByDescending(r => r.Id);
            case "amount":
                if (after is { } c)
                {
                    query = query.Where(r => r.Amount > c.Key || (r.Amount == c.Key && r.Id.CompareTo(c.Id) > 0));
                }
                return query.OrderBy(r => r.Amount).ThenBy(r => r.Id);
            default:
                if (after is { } d)
                {
                    query = query.Where(r => r.Amount < d.Key || (r.Amount == d.Key && r.Id.CompareTo(d.Id) < 0));
                }
                return query.OrderByDescending(r => r.Amount).ThenByDescending(r => r.Id);
        }
    }
}
