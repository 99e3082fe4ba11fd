using System.Diagnostics.Metrics;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;

namespace Finsoft.Api.Host.Observability;

/// <summary>
/// Finsoft's own instruments, on the meter `Finsoft`. Money is counted from what a batch committed (a retried
/// batch counts once); amounts are summed in minor units, so a dashboard divides by the currency's exponent.
/// HTTP, the database pool, Kestrel and the runtime come from the meters ASP.NET Core, Npgsql and .NET publish.
/// </summary>
public static class FinsoftMetrics
{
    public const string MeterName = "Finsoft";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Movements = Meter.CreateCounter<long>("finsoft.money.movements", "{transaction}",
        "Transactions created, by type, currency and the status they were created in.");

    private static readonly Counter<long> MovedMinor = Meter.CreateCounter<long>("finsoft.money.amount", "{minor_unit}",
        "Amounts of the transactions created, in minor units of their currency.");

    private static readonly Counter<long> Transitions = Meter.CreateCounter<long>("finsoft.money.transitions", "{transaction}",
        "Status changes of existing transactions (captures, settlements, failures), by type and the status reached.");

    private static readonly Counter<long> Payouts = Meter.CreateCounter<long>("finsoft.bank.payouts", "{payout}",
        "Withdrawals the bank settled or that failed, by outcome.");

    private static readonly Counter<long> Payments = Meter.CreateCounter<long>("finsoft.payments", "{payment}",
        "Pay-ins and refunds through a provider that succeeded or failed, by type and outcome.");

    private static readonly Counter<long> Replays = Meter.CreateCounter<long>("finsoft.idempotency.replays", "{request}",
        "Requests answered from an earlier one's Idempotency-Key: replayed, different_request or in_progress.");

    private static readonly Histogram<int> BatchOrders = Meter.CreateHistogram<int>("finsoft.engine.batch.orders", "{order}",
        "Orders decided in one engine batch (one database transaction).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("finsoft.engine.batch.duration", "s",
        "Time from an engine batch's first statement to its commit, retries included.", advice: LatencyBuckets);

    private static readonly Counter<long> BatchFailures = Meter.CreateCounter<long>("finsoft.engine.batch.failures", "{batch}",
        "Engine batches that failed with something other than a refusal, before their jobs were run one by one.");

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("finsoft.database.commit.duration", "s",
        "Time a database transaction's COMMIT took.", advice: LatencyBuckets);

    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("finsoft.database.retries", "{attempt}",
        "Database transactions run again after a deadlock, serialisation failure, busy database or a key another node stored.");

    private static InstrumentAdvice<double> LatencyBuckets => new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    };

    private static Func<int>? _queuedJobs;

    // No engine, no measurement: a process without one does not report an empty queue.
    private static readonly ObservableGauge<int> QueueDepth = Meter.CreateObservableGauge("finsoft.engine.queue.depth",
        () => _queuedJobs is { } queued ? [new Measurement<int>(queued())] : Array.Empty<Measurement<int>>(), "{job}", "Engine jobs waiting for a batch.");

    /// <summary>The engine's queue, read each time metrics are collected (a process has one engine).</summary>
    public static void ObserveQueue(Func<int> queuedJobs) => _queuedJobs = queuedJobs;

    /// <summary>What a committed batch made and changed. Nothing is done when no one collects metrics.</summary>
    public static void Committed(IReadOnlyList<TransactionRow> created, IReadOnlyList<(TransactionRow After, string StatusBefore)> changed)
    {
        if (!Movements.Enabled)
        {
            return;
        }
        foreach (var t in created)
        {
            var type = new KeyValuePair<string, object?>("type", t.Type.ToLowerInvariant());
            var currency = new KeyValuePair<string, object?>("currency", t.Currency);
            Movements.Add(1, type, currency, new KeyValuePair<string, object?>("status", t.Status.ToLowerInvariant()));
            MovedMinor.Add(t.Amount, type, currency);
        }
        foreach (var (after, before) in changed)
        {
            if (after.Status == before)
            {
                continue; // an approval that lets a withdrawal or pay-in go on changes no status
            }
            var type = new KeyValuePair<string, object?>("type", after.Type.ToLowerInvariant());
            var reached = after.Status.ToLowerInvariant();
            Transitions.Add(1, type, new KeyValuePair<string, object?>("status", reached));
            // The bank's or the provider's answer to what was sent them, not a review's rejection before anything was.
            if (before != Processing || !Terminal.Contains(after.Status))
            {
                continue;
            }
            var outcome = new KeyValuePair<string, object?>("outcome", reached);
            if (after.Type == Withdrawal)
            {
                Payouts.Add(1, outcome);
            }
            else if (after.Type == Payment || after.Type == Refund)
            {
                Payments.Add(1, type, outcome);
            }
        }
    }

    private static readonly string Withdrawal = TransactionLifecycle.Wire(TransactionType.Withdrawal);
    private static readonly string Payment = TransactionLifecycle.Wire(TransactionType.Payment);
    private static readonly string Refund = TransactionLifecycle.Wire(TransactionType.Refund);
    private static readonly string Processing = TransactionLifecycle.Wire(TransactionStatus.Processing);
    private static readonly string[] Terminal = [TransactionLifecycle.Wire(TransactionStatus.Completed), TransactionLifecycle.Wire(TransactionStatus.Failed)];

    public static void Replayed(string outcome) => Replays.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public static void Batch(int orders, TimeSpan duration)
    {
        BatchOrders.Record(orders);
        BatchDuration.Record(duration.TotalSeconds);
    }

    public static void BatchFailed() => BatchFailures.Add(1);

    public static void Commit(TimeSpan duration) => CommitDuration.Record(duration.TotalSeconds);

    public static void Retried(string reason) => Retries.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
