namespace Finsoft.Api.Infrastructure.Persistence;

public static class Clock
{
    /// <summary>
    /// Now, truncated to whole microseconds: PostgreSQL keeps microseconds, so a time hashed into the
    /// journal must already be at that precision to read back identical.
    /// </summary>
    public static DateTime UtcNow(this TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }

    /// <summary>
    /// The last microsecond of a day (UTC): when an entry back-dated to that value date counts, so a report as of any moment
    /// of the day after includes it and one of the day before does not.
    /// </summary>
    public static DateTime EndOf(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue).Ticks - 10, DateTimeKind.Utc);
}
