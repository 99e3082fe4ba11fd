using Finsoft.Api.MoneyPath.Outbox;
using System.Security.Claims;
using Finsoft.Api.Features.Records;
using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Dashboard;

/// <summary>
/// Totals over live records (categorised ledger transactions included), in one currency, summed by the
/// database. Everyone sees its own; an admin sees everyone's, or one user's with `user_id`.
/// </summary>
public static class Dashboard
{
    public sealed record Summary(string Currency, string TotalIncome, string TotalExpenses, string NetBalance);

    public sealed record CategoryTotal(string Category, string Type, string Total);

    public sealed record MonthTotals(string Month, string Income, string Expenses, string Net);

    public sealed record RecentActivity(List<RecordDto> Records, List<TransactionDto> Transactions);

    public const int MaxMonths = 60;

    public static async Task<JsonBody> GetSummary(string? currency, [FromQuery(Name = "user_id")] Guid? userId, ClaimsPrincipal principal, FinsoftDb db,
        IOptions<FinsoftOptions> options, CancellationToken ct)
    {
        if (!TryScope(principal, db, currency, userId, options, out var records, out var money, out var problem))
        {
            return problem!;
        }
        var totals = await records.GroupBy(r => r.Type).Select(g => new { Type = g.Key, Total = g.Sum(r => r.Amount) }).ToListAsync(ct);
        var income = totals.FirstOrDefault(t => t.Type == RecordType.Income)?.Total ?? 0;
        var expenses = totals.FirstOrDefault(t => t.Type == RecordType.Expense)?.Total ?? 0;
        return ApiResults.Ok(new Summary(money.Code, Money.Format(income, money), Money.Format(expenses, money), Money.Format(checked(income - expenses), money)));
    }

    public static async Task<JsonBody> GetCategories(string? currency, [FromQuery(Name = "user_id")] Guid? userId, DateOnly? from, DateOnly? to, ClaimsPrincipal principal,
        FinsoftDb db, IOptions<FinsoftOptions> options, CancellationToken ct)
    {
        if (!TryScope(principal, db, currency, userId, options, out var records, out var money, out var problem))
        {
            return problem!;
        }
        if (from is { } f)
        {
            records = records.Where(r => r.Date >= f);
        }
        if (to is { } t)
        {
            records = records.Where(r => r.Date <= t);
        }
        var totals = await records.GroupBy(r => new { r.Category, r.Type })
            .Select(g => new { g.Key.Category, g.Key.Type, Total = g.Sum(r => r.Amount) }).ToListAsync(ct);
        return ApiResults.Ok(totals.OrderByDescending(c => c.Total).ThenBy(c => c.Category, StringComparer.Ordinal)
            .Select(c => new CategoryTotal(c.Category, c.Type, Money.Format(c.Total, money))).ToList());
    }

    /// <summary>The last N calendar months up to this one, oldest first, months without activity as zeros.</summary>
    public static async Task<JsonBody> GetTrends(int? months, string? currency, [FromQuery(Name = "user_id")] Guid? userId, ClaimsPrincipal principal, FinsoftDb db,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var count = months ?? 12;
        if (count is < 1 or > MaxMonths)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["months"] = [$"months must be between 1 and {MaxMonths}."] });
        }
        if (!TryScope(principal, db, currency, userId, options, out var records, out var money, out var problem))
        {
            return problem!;
        }
        var today = DateOnly.FromDateTime(time.UtcNow());
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(1 - count);
        // Grouped by day in the database (at most ~1,860 groups per type) and folded into months here:
        // cheaper than extracting year and month from every row.
        var totals = (await records.Where(r => r.Date >= first && r.Date <= today)
            .GroupBy(r => new { r.Date, r.Type })
            .Select(g => new { g.Key.Date, g.Key.Type, Total = g.Sum(r => r.Amount) }).ToListAsync(ct))
            .Select(d => new { d.Date.Year, d.Date.Month, d.Type, d.Total }).ToList();
        var result = Enumerable.Range(0, count).Select(i => first.AddMonths(i)).Select(month =>
        {
            long Sum(string type) => totals.Where(t => t.Year == month.Year && t.Month == month.Month && t.Type == type).Sum(t => t.Total);
            var (income, expenses) = (Sum(RecordType.Income), Sum(RecordType.Expense));
            return new MonthTotals($"{month.Year:D4}-{month.Month:D2}", Money.Format(income, money), Money.Format(expenses, money),
                Money.Format(checked(income - expenses), money));
        }).ToList();
        return ApiResults.Ok(result);
    }

    /// <summary>The latest records and ledger transactions the caller may see.</summary>
    public static async Task<JsonBody> GetRecent(int? limit, [FromQuery(Name = "user_id")] Guid? userId, ClaimsPrincipal principal, FinsoftDb db, IOptions<FinsoftOptions> options,
        PersonalData personal, CancellationToken ct)
    {
        var size = limit ?? 10;
        if (size is < 1 or > 100)
        {
            return ApiResults.Invalid(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 100."] });
        }
        if (!TryScope(principal, db, null, userId, options, out var records, out _, out var problem, anyCurrency: true))
        {
            return problem!;
        }
        var user = CurrentUser.From(principal);
        var latest = await records.OrderByDescending(r => r.Date).ThenByDescending(r => r.CreatedAt).Take(size).ToListAsync(ct);
        // With user_id (admins only, checked above) the same rule as that user's own view.
        var transactions = userId is { } owner
            ? await db.TransactionsTouchingHeldByAsync(owner, ct)
            : await db.TransactionsVisibleToAsync(user, ct);
        var moves = await transactions.AsNoTracking().OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Take(size).ToListAsync(ct);
        var keys = await personal.KeysOfAsync(db, latest.Select(r => r.UserId), ct);
        return ApiResults.Ok(new RecentActivity(latest.Select(r => RecordDto.From(r, keys.GetValueOrDefault(r.UserId, PersonKey.Shredded))).ToList(),
            moves.Select(TransactionDto.From).ToList()));
    }

    /// <summary>The live records a dashboard sums: the caller's own, or for an admin everyone's (or `user_id`'s); in one currency.</summary>
    private static bool TryScope(ClaimsPrincipal principal, FinsoftDb db, string? currency, Guid? userId, IOptions<FinsoftOptions> options,
        out IQueryable<RecordRow> records, out Currency money, out JsonBody? problem, bool anyCurrency = false)
    {
        var user = CurrentUser.From(principal);
        records = db.Records.AsNoTracking().Where(r => r.DeletedAt == null);
        var validation = new Validation();
        money = validation.Currency("currency", currency, options.Value.DefaultCurrencyValue)!;
        if (userId is not null && !user.IsAdmin)
        {
            validation.Add("user_id", "only admins see other users' dashboards.");
        }
        problem = validation.IsValid ? null : validation.Result;
        if (problem is not null)
        {
            return false;
        }
        if (!user.IsAdmin)
        {
            records = records.Where(r => r.UserId == user.Id);
        }
        else if (userId is { } owner)
        {
            records = records.Where(r => r.UserId == owner);
        }
        if (!anyCurrency)
        {
            var code = money.Code;
            records = records.Where(r => r.Currency == code);
        }
        return true;
    }
}
