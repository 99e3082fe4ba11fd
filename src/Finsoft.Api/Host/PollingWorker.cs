using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.Host;

/// <summary>
/// A background loop that does one pass of work, then waits. A failed pass is logged and tried again
/// on the next tick: the work itself is written to be safe to repeat. On shutdown the pass under way
/// finishes and the wait for the next one ends; a pass still running when the host's shutdown timeout
/// runs out is cancelled.
/// </summary>
public abstract class PollingWorker(TimeProvider time, ILogger logger) : BackgroundService
{
    private readonly CancellationTokenSource _abandon = new();

    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(_abandon.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException && DatabaseSetup.IsUnavailable(e))
            {
                // An outage (a restart, a failover) says the same thing on every pass: one line, no stack.
                Logger.LogWarning("{Worker} pass found the database unavailable: {Reason}; will retry", GetType().Name, e.GetBaseException().Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logger.LogWarning(e, "{Worker} pass failed; will retry", GetType().Name);
            }
            await Task.Delay(Interval, Time, stoppingToken);
        }
    }

    /// <param name="cancellationToken">Cancelled when the shutdown may take no longer: the pass under way is cancelled with it.</param>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var abandon = cancellationToken.Register(_abandon.Cancel);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }
}
