namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// The service's clock, set to a start and moved on by the test (months pass in a second). In between it runs at the real
/// pace, so what waits on it (a provider's delay, a retry's backoff) still comes due; timers and delays stay real.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private long _offsetTicks = start.UtcTicks - DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow.AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
