using System.Security.Claims;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Periods;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Accounting;

/// <summary>
/// Fiscal periods: created open, closed once they have ended (nothing more is posted into them), reopened with a reason. Every
/// change takes the ledger head's lock and moves the calendar's version, so the money engine never posts into a period closed
/// while it was planning (see <see cref="FiscalCalendar"/>).
/// </summary>
public static class FiscalPeriods
{
    public sealed record CreateRequest(string? Name, DateOnly? StartsOn, DateOnly? EndsOn);

    public sealed record ReopenRequest(string? Reason);

    public sealed record PeriodDto(Guid Id, string Name, DateOnly StartsOn, DateOnly EndsOn, bool YearEnd, string Status, DateTime CreatedAt,
        Guid? ClosedBy, DateTime? ClosedAt, Guid? ReopenedBy, DateTime? ReopenedAt, string? ReopenReason)
    {
        public static PeriodDto From(FiscalPeriodRow p) => new(p.Id, p.Name, p.StartsOn, p.EndsOn, p.YearEnd, p.Status, p.CreatedAt,
            p.ClosedBy, p.ClosedAt, p.ReopenedBy, p.ReopenedAt, p.ReopenReason);
    }

    public static async Task<JsonBody> Create(CreateRequest request, ClaimsPrincipal principal, FinsoftDb db, UnitOfWork work, AuditTrail audit,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("name", request.Name, 100);
        if (request.StartsOn is null)
        {
            validation.Add("starts_on", "starts_on is required (yyyy-MM-dd).");
        }
        if (request.EndsOn is null)
        {
            validation.Add("ends_on", "ends_on is required (yyyy-MM-dd).");
        }
        else if (request.EndsOn < request.StartsOn)
        {
            validation.Add("ends_on", "ends_on must not be before starts_on.");
        }
        var year = options.Value.Accounting;
        if (validation.IsValid && YearEndWithin(request.StartsOn!.Value, request.EndsOn!.Value, year) is { } yearEnd)
        {
            validation.Add("ends_on", $"A period cannot run past the end of a fiscal year ({yearEnd:yyyy-MM-dd}).");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var (starts, ends) = (request.StartsOn!.Value, request.EndsOn!.Value);
        var user = CurrentUser.From(principal);
        return (await work.RunAsync<JsonBody>(async ct =>
        {
            await LockPeriodsAsync(db, changesCalendar: false, ct);
            if (await db.FiscalPeriods.AsNoTracking().Where(p => p.StartsOn <= ends && p.EndsOn >= starts).Select(p => p.Name).FirstOrDefaultAsync(ct) is { } other)
            {
                return ApiResults.Problem(StatusCodes.Status409Conflict, $"The period overlaps period '{other}'.", errorCode: "period_overlap");
            }
            var row = new FiscalPeriodRow
            {
                Id = Guid.CreateVersion7(), Name = request.Name!.Trim(), StartsOn = starts, EndsOn = ends, YearEnd = year.EndsYear(ends),
                Status = FiscalPeriodStatus.Open, CreatedBy = user.Id, CreatedAt = time.UtcNow(),
            };
            db.FiscalPeriods.Add(row);
            audit.Add(db, AuditEvents.FiscalPeriodCreated, user.Id, null, new { period_id = row.Id, row.Name, starts_on = starts, ends_on = ends });
            await db.SaveChangesAsync(ct);
            return ApiResults.Created(PeriodDto.From(row));
        }, ct)).Value;
    }

    public static async Task<JsonBody> List(FinsoftDb db, CancellationToken ct) =>
        ApiResults.Ok((await db.FiscalPeriods.AsNoTracking().OrderBy(p => p.StartsOn).ToListAsync(ct)).Select(PeriodDto.From).ToList());

    /// <summary>
    /// Closes a period that has ended. The last period of a fiscal year closes the year: it stays <c>closing</c> (closed to every
    /// other posting) until its closing entry is in, written in the same transaction that marks it closed; a close that stopped
    /// half-way is finished by asking again.
    /// </summary>
    public static async Task<JsonBody> Close(Guid id, ClaimsPrincipal principal, FinsoftDb db, UnitOfWork work, AuditTrail audit, FiscalCalendar calendar,
        YearEndClosing closing, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var marked = (await work.RunAsync<Change>(async ct =>
        {
            await LockPeriodsAsync(db, changesCalendar: true, ct);
            var now = time.UtcNow(); // under the lock: every entry written before the close is earlier, every one after is refused
            var period = await db.FiscalPeriods.SingleOrDefaultAsync(p => p.Id == id, ct);
            if (period is null)
            {
                return new Change(null, NotFound);
            }
            if (period.Status == FiscalPeriodStatus.Closed)
            {
                return new Change(null, Conflict("period_already_closed", "The period is closed already."));
            }
            if (period.EndsOn >= DateOnly.FromDateTime(now))
            {
                return new Change(null, Conflict("period_not_ended", $"The period has not ended: it can be closed from {period.EndsOn.AddDays(1):yyyy-MM-dd}."));
            }
            if (period.YearEnd && await LaterYearClosedAsync(db, period, ct))
            {
                // A later year's closing entry already moved this year's income: closing this one now would move it again.
                return new Change(null, Conflict("later_year_closed", "A later fiscal year is closed; years close in order: reopen it first."));
            }
            if (period.Status == FiscalPeriodStatus.Open)
            {
                (period.Status, period.ClosedBy, period.ClosedAt) = (period.YearEnd ? FiscalPeriodStatus.Closing : FiscalPeriodStatus.Closed, user.Id, now);
                audit.Add(db, AuditEvents.FiscalPeriodClosed, user.Id, null, new { period_id = period.Id, period.Name, year_end = period.YearEnd });
                await db.SaveChangesAsync(ct);
            }
            return new Change(period, null);
        }, ct)).Value;
        calendar.Forget();
        if (marked.Period is not { } row)
        {
            return marked.Problem!;
        }
        if (row.Status == FiscalPeriodStatus.Closing)
        {
            try
            {
                await closing.PostAsync(row, ct);
            }
            catch (YearEndClosing.PeriodChangedException e)
            {
                return ApiResults.Problem(StatusCodes.Status409Conflict, e.Message, errorCode: "period_changed");
            }
            row = await db.FiscalPeriods.AsNoTracking().SingleAsync(p => p.Id == id, ct);
        }
        return ApiResults.Ok(PeriodDto.From(row));
    }

    /// <summary>Reopens a closed period, with the reason; a year's closing entry stays, and closing the year again moves only what changed since.</summary>
    public static async Task<JsonBody> Reopen(Guid id, ReopenRequest request, ClaimsPrincipal principal, FinsoftDb db, UnitOfWork work, AuditTrail audit,
        FiscalCalendar calendar, TimeProvider time, CancellationToken ct)
    {
        if (new Validation().Required("reason", request.Reason, 500) is { IsValid: false } invalid)
        {
            return invalid.Result;
        }
        var user = CurrentUser.From(principal);
        var reopened = (await work.RunAsync<Change>(async ct =>
        {
            await LockPeriodsAsync(db, changesCalendar: true, ct);
            var period = await db.FiscalPeriods.SingleOrDefaultAsync(p => p.Id == id, ct);
            if (period is null)
            {
                return new Change(null, NotFound);
            }
            if (period.Status == FiscalPeriodStatus.Open)
            {
                return new Change(null, Conflict("period_not_closed", "The period is open."));
            }
            if (await LaterYearClosedAsync(db, period, ct))
            {
                return new Change(null, Conflict("later_year_closed", "A later fiscal year is closed, and its days with it: reopen that year first."));
            }
            (period.Status, period.ReopenedBy, period.ReopenedAt, period.ReopenReason) = (FiscalPeriodStatus.Open, user.Id, time.UtcNow(), request.Reason!.Trim());
            audit.Add(db, AuditEvents.FiscalPeriodReopened, user.Id, null, new { period_id = period.Id, period.Name, reason = period.ReopenReason });
            await db.SaveChangesAsync(ct);
            return new Change(period, null);
        }, ct)).Value;
        calendar.Forget();
        return reopened.Period is { } row ? ApiResults.Ok(PeriodDto.From(row)) : reopened.Problem!;
    }

    /// <summary>
    /// Takes the ledger head's lock (every batch that appends entries takes it too) and, when the change closes or opens days,
    /// moves the calendar's version under it: a batch planned against the old calendar then plans again.
    /// </summary>
    private static async Task LockPeriodsAsync(FinsoftDb db, bool changesCalendar, CancellationToken ct)
    {
        var step = changesCalendar ? 1 : 0;
        await db.Database.ExecuteSqlAsync($"UPDATE ledger_head SET periods_version = periods_version + {step} WHERE id = 1", ct);
    }

    /// <summary>Whether a fiscal year after the period's is closed (or closing): its closing entry took every day up to its end.</summary>
    private static Task<bool> LaterYearClosedAsync(FinsoftDb db, FiscalPeriodRow period, CancellationToken ct) =>
        db.FiscalPeriods.AnyAsync(p => p.YearEnd && p.Status != FiscalPeriodStatus.Open && p.EndsOn > period.EndsOn, ct);

    /// <summary>The end of a fiscal year that falls inside the days, before their last.</summary>
    private static DateOnly? YearEndWithin(DateOnly starts, DateOnly ends, AccountingOptions year)
    {
        for (var day = new DateOnly(starts.Year, year.FiscalYearEndMonth, 1); day < ends; day = day.AddYears(1))
        {
            var yearEnd = new DateOnly(day.Year, day.Month, DateTime.DaysInMonth(day.Year, day.Month));
            if (yearEnd >= starts && yearEnd < ends)
            {
                return yearEnd;
            }
        }
        return null;
    }

    /// <summary>What a change to a period did: the period as it now stands, or why it was refused.</summary>
    private sealed record Change(FiscalPeriodRow? Period, JsonBody? Problem);

    private static JsonBody NotFound => ApiResults.NotFound("Fiscal period not found");

    private static JsonBody Conflict(string code, string message) => ApiResults.Problem(StatusCodes.Status409Conflict, message, errorCode: code);
}
