namespace Finsoft.Api.Host;

/// <summary>
/// A background loop that does one pass of work, then waits. A failed pass is logged and tried again
/// on the next tick: the work itself is written to be safe to repeat. On shutdown the pass under way
/// finishes (the host's shutdown timeout still bounds it) and the wait for the next one ends.
/// </summary>
public abstract class PollingWorker(TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "{Worker} pass failed; will retry", GetType().Name);
            }
            await Task.Delay(Interval, Time, stoppingToken);
        }
    }
}
