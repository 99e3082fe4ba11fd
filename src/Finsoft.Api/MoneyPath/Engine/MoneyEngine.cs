using System.Diagnostics;
using System.Threading.Channels;
using Finsoft.Api.Host;
using Finsoft.Api.Host.Observability;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>
/// The one door to the money path. Every command that moves or reserves money is submitted here, and
/// concurrent ones are grouped into one database transaction: one commit and one WAL flush serve a
/// whole batch. Orders queue here; each writer loop takes what is waiting (up to a bounded number of
/// orders, after at most a short bounded wait for more) and runs it as one <see cref="BatchExecution"/>.
/// Each order still gets its own outcome. Correctness rests on the database (row locks in id order,
/// CHECK constraints), so several processes on one PostgreSQL stay correct; SQLite gets one writer.
/// </summary>
public sealed class MoneyEngine(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, DatabaseTarget target,
    ILogger<MoneyEngine> logger) : IHostedService
{
    private readonly Channel<EngineJob> _queue = Channel.CreateUnbounded<EngineJob>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _writers = [];

    private EngineOptions Settings => options.Value.Engine;

    /// <summary>Runs one order and answers its response.</summary>
    public async Task<JsonBody> SubmitAsync(MoneyOrder order, CancellationToken ct) => (await SubmitAsync(new EngineJob([order], atomic: false), ct))[0];

    /// <summary>Queues a job and waits for its outcome. Once queued, the job runs even if the caller stops waiting.</summary>
    public async Task<JsonBody[]> SubmitAsync(EngineJob job, CancellationToken ct)
    {
        if (!_queue.Writer.TryWrite(job))
        {
            throw new InvalidOperationException("The money engine is stopping.");
        }
        return await job.Completion.Task.WaitAsync(ct);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        FinsoftMetrics.ObserveQueue(() => _queue.Reader.Count);
        // SQLite has one writer at a time anyway. PostgreSQL may have more (Engine:PostgresWriters), but on the
        // bench a second loop mostly waited for the account and head locks the first one held.
        var writers = target.Provider == DatabaseProvider.Sqlite ? 1 : Math.Max(1, Settings.PostgresWriters);
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(() => WriteLoopAsync(_stopping.Token))).ToArray();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Finish what was accepted; new work is refused from here on.
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_writers).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await _stopping.CancelAsync();
        }
    }

    private async Task WriteLoopAsync(CancellationToken stop)
    {
        var reader = _queue.Reader;
        var wait = TimeSpan.FromTicks(Settings.BatchWaitMicroseconds * TimeSpan.TicksPerMicrosecond);
        while (await reader.WaitToReadAsync(stop))
        {
            var jobs = new List<EngineJob>();
            var orders = 0;
            var waited = false;
            while (orders < Settings.MaxBatchOrders && reader.TryRead(out var job))
            {
                jobs.Add(job);
                orders += job.Orders.Count;
                if (!waited && orders < Settings.MaxBatchOrders && wait > TimeSpan.Zero && !reader.TryPeek(out _))
                {
                    waited = true;
                    await Task.Delay(wait, stop);
                }
            }
            if (jobs.Count > 0)
            {
                await RunAsync(jobs, stop);
            }
        }
    }

    private async Task RunAsync(List<EngineJob> jobs, CancellationToken stop)
    {
        // A root of its own: the batch serves many requests, so it links to each of their spans rather than joining one.
        using var span = Telemetry.Engine.StartActivity("engine batch", ActivityKind.Internal, parentContext: default,
            links: jobs.Where(j => j.Origin != default).Select(j => new ActivityLink(j.Origin)));
        var orders = jobs.Sum(j => j.Orders.Count);
        span?.SetTag("finsoft.batch.jobs", jobs.Count);
        span?.SetTag("finsoft.batch.orders", orders);
        try
        {
            var started = Stopwatch.GetTimestamp();
            await using var scope = scopes.CreateAsyncScope();
            var results = await scope.ServiceProvider.GetRequiredService<BatchExecution>().RunAsync(jobs, stop);
            FinsoftMetrics.Batch(orders, Stopwatch.GetElapsedTime(started));
            for (var i = 0; i < jobs.Count; i++)
            {
                jobs[i].Completion.TrySetResult(results[i]);
            }
        }
        catch (Exception e) when (DatabaseSetup.IsUnavailable(e))
        {
            span?.SetStatus(ActivityStatusCode.Error, "database unavailable");
            // An outage, not one bad job: each request answers 503 and its client retries with its key. Running the
            // jobs one by one would only knock on the closed door once per job.
            logger.LogWarning("A batch of {Jobs} jobs found the database unavailable: {Reason}", jobs.Count, e.GetBaseException().Message);
            foreach (var job in jobs)
            {
                job.Completion.TrySetException(e);
            }
        }
        catch (Exception e) when (jobs.Count > 1)
        {
            span?.SetStatus(ActivityStatusCode.Error, "split into single jobs");
            FinsoftMetrics.BatchFailed();
            // Something other than a business refusal or a retryable conflict: run each job alone so the
            // one that causes it fails by itself and the others still go through.
            logger.LogWarning(e, "A batch of {Jobs} jobs failed; running them one by one", jobs.Count);
            foreach (var job in jobs)
            {
                await RunAsync([job], stop);
            }
        }
        catch (Exception e)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            logger.LogError(e, "A money job failed");
            jobs[0].Completion.TrySetException(e);
        }
    }
}
