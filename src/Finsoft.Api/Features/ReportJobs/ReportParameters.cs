using System.Globalization;
using System.Text.Json;
using Finsoft.Api.Features.Analytics;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.ReportJobs;

/// <summary>
/// What a report is asked for: a period (explicit, or <c>period</c> relative to when the job runs, which is what a schedule
/// wants), a currency, an interval, an account or a month. Checked when the job is asked for; resolved when it runs.
/// </summary>
/// <param name="TimeZone">Whose days a relative period and a statements month are (IANA; UTC when not given): a schedule's own zone.</param>
public sealed record ReportParameters(DateTime? From, DateTime? To, DateTime? AsOf, string? Currency, string? Interval, Guid? AccountId, string? Month,
    string? Period, string? TimeZone = null)
{
    public const string PreviousDay = "previous_day";
    public const string PreviousWeek = "previous_week";
    public const string PreviousMonth = "previous_month";
    public const string PreviousYear = "previous_year";

    public static ReportParameters None { get; } = new(null, null, null, null, null, null, null, null);

    /// <summary>Reads the parameters object; a field of the wrong type is a validation error, not a 500.</summary>
    public static ReportParameters? Read(JsonElement? raw, Validation validation)
    {
        if (raw is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } json)
        {
            return None;
        }
        try
        {
            return json.ValueKind == JsonValueKind.Object ? json.Deserialize<ReportParameters>(Json.Options) ?? None : Invalid(validation);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path[2..] : "parameters";
            validation.Add("parameters", $"parameters.{field} does not read: dates are ISO 8601 (2027-01-31T00:00:00Z), account_id a uuid, the rest text.");
            return null;
        }
    }

    private static ReportParameters? Invalid(Validation validation)
    {
        validation.Add("parameters", "parameters must be an object.");
        return null;
    }

    /// <summary>
    /// The parameters with <see cref="Period"/> turned into dates, for a job that runs at <paramref name="at"/>: the whole
    /// previous day, ISO week (from Monday), month or year, in UTC; <c>to</c> and <c>as_of</c> its last microsecond.
    /// </summary>
    public ReportParameters Resolve(DateTime at)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(at, DateTimeKind.Utc), Zone));
        (DateOnly First, DateOnly Last)? days = Period switch
        {
            PreviousDay => (today.AddDays(-1), today.AddDays(-1)),
            PreviousWeek => (today.AddDays(-(((int)today.DayOfWeek + 6) % 7) - 7), today.AddDays(-(((int)today.DayOfWeek + 6) % 7) - 1)),
            PreviousMonth => (new DateOnly(today.Year, today.Month, 1).AddMonths(-1), new DateOnly(today.Year, today.Month, 1).AddDays(-1)),
            PreviousYear => (new DateOnly(today.Year - 1, 1, 1), new DateOnly(today.Year - 1, 12, 31)),
            _ => null,
        };
        if (days is not { } d)
        {
            return this;
        }
        var (from, to) = Span(d.First, d.Last);
        return this with { From = from, To = to, AsOf = to, Month = Month ?? (Period == PreviousMonth ? d.First.ToString("yyyy-MM", CultureInfo.InvariantCulture) : null) };
    }

    /// <summary>The zone named, or UTC.</summary>
    public TimeZoneInfo Zone => TimeZone is { } name && TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>From the first day's start to the last microsecond of the last day, those days being <see cref="Zone"/>'s, as UTC.</summary>
    public (DateTime From, DateTime To) Span(DateOnly first, DateOnly last) =>
        (TimeZoneInfo.ConvertTimeToUtc(first.ToDateTime(TimeOnly.MinValue), Zone),
            TimeZoneInfo.ConvertTimeToUtc(last.AddDays(1).ToDateTime(TimeOnly.MinValue), Zone).AddTicks(-10));

    /// <summary>The checks every report shares: a period name it knows, dates in order, a month that reads.</summary>
    public void CheckCommon(Validation validation)
    {
        if (Period is not (null or PreviousDay or PreviousWeek or PreviousMonth or PreviousYear))
        {
            validation.Add("parameters.period", $"period must be {PreviousDay}, {PreviousWeek}, {PreviousMonth} or {PreviousYear}.");
        }
        if (Period is not null && (From is not null || To is not null || AsOf is not null))
        {
            validation.Add("parameters.period", "give either period or from/to/as_of, not both.");
        }
        if (From > (To ?? AsOf))
        {
            validation.Add("parameters.from", "from must not be after to (or as_of).");
        }
        if (Month is not null && !DateOnly.TryParseExact(Month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            validation.Add("parameters.month", "month must read yyyy-MM.");
        }
        if (TimeZone is not null)
        {
            ReportSchedules.ZoneOf(TimeZone, validation, "parameters.time_zone");
        }
        if (Interval is not (null or AnalyticsPeriod.Day or AnalyticsPeriod.Week or AnalyticsPeriod.Month))
        {
            validation.Add("parameters.interval", "interval must be day, week or month.");
        }
    }
}
