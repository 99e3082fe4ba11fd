using System.Globalization;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Analytics;

/// <summary>
/// The period and interval an analytics question covers: days, ISO weeks (from Monday) or calendar months, in UTC. Every
/// bucket of the period is answered, empty ones with zeros, so a chart needs no gap-filling.
/// </summary>
public sealed record AnalyticsPeriod(DateTime From, DateTime To, string Interval)
{
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";

    public static AnalyticsPeriod? Parse(DateTime? from, DateTime? to, string? interval, DateTime now, Validation validation)
    {
        var every = interval ?? Day;
        if (every is not (Day or Week or Month))
        {
            validation.Add("interval", "interval must be day, week or month.");
            return null;
        }
        var (longest, fallback) = every switch
        {
            Day => (TimeSpan.FromDays(366), TimeSpan.FromDays(30)),
            Week => (TimeSpan.FromDays(7 * 157), TimeSpan.FromDays(7 * 12)),
            _ => (TimeSpan.FromDays(3660), TimeSpan.FromDays(365)),
        };
        var end = to is { } t ? Utc(t) : now;
        var start = from is { } f ? Utc(f) : end - fallback;
        if (start > end || end - start > longest)
        {
            validation.Add("from", $"from must be before to, and by {every} at most {longest.TotalDays:N0} days earlier.");
            return null;
        }
        return new AnalyticsPeriod(start, end, every);
    }

    /// <summary>A time given without an offset ("2027-03-31") is UTC, whatever the server's own zone.</summary>
    private static DateTime Utc(DateTime at) => at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : at.ToUniversalTime();

    /// <summary>The first day of the bucket a day falls in.</summary>
    public DateOnly BucketOf(DateOnly day) => Interval switch
    {
        Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        Month => new DateOnly(day.Year, day.Month, 1),
        _ => day,
    };

    public DateOnly BucketOf(DateTime at) => BucketOf(DateOnly.FromDateTime(at));

    /// <summary>Every bucket from the one holding <see cref="From"/> to the one holding <see cref="To"/>.</summary>
    public IReadOnlyList<DateOnly> Buckets()
    {
        var buckets = new List<DateOnly>();
        var last = BucketOf(To);
        for (var bucket = BucketOf(From); bucket <= last; bucket = Interval switch { Week => bucket.AddDays(7), Month => bucket.AddMonths(1), _ => bucket.AddDays(1) })
        {
            buckets.Add(bucket);
        }
        return buckets;
    }

    public static string Key(DateOnly bucket) => bucket.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
