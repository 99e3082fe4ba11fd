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
}
