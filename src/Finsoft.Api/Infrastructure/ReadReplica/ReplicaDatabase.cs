using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Finsoft.Api.Infrastructure.ReadReplica;

/// <summary>
/// The streaming replica named by <c>ConnectionStrings:FinsoftReadOnly</c>, if any, and how far behind the primary it
/// was at the last measurement. Contexts on it track nothing and refuse to save: a write that strays here is a bug,
/// and must fail as one rather than as the standby's read-only refusal (which reads like an outage).
/// </summary>
public sealed class ReplicaDatabase
{
    private readonly PooledDbContextFactory<FinsoftDb>? _contexts;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxLag;
    private readonly TimeSpan _trustSampleFor;
    private Sample? _latest;

    private sealed record Sample(long? LagMilliseconds, long TakenAt);

    public ReplicaDatabase(string? connectionString, DatabaseOptions options, TimeProvider time)
    {
        _time = time;
        _maxLag = TimeSpan.FromMilliseconds(options.ReplicaMaxLagMilliseconds);
        // A measurement older than a few polls (and never less than two seconds, for a busy node's late pass) says nothing any
        // more: the monitor is stuck or the node is starved.
        _trustSampleFor = TimeSpan.FromMilliseconds(Math.Max(options.ReplicaLagPollMilliseconds * 5L, 2000));
        if (connectionString is not null)
        {
            var contextOptions = new DbContextOptionsBuilder<FinsoftDb>()
                .UseNpgsql(connectionString)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .AddInterceptors(RefuseWrites.Instance)
                .Options;
            _contexts = new PooledDbContextFactory<FinsoftDb>(contextOptions);
        }
    }

    public bool Configured => _contexts is not null;

    public FinsoftDb CreateContext() => (_contexts ?? throw new InvalidOperationException("No read-only replica is configured.")).CreateDbContext();

    /// <summary>Records a measurement: the replica's lag, or null when it could not be measured (down, promoted, never replayed).</summary>
    public void Record(long? lagMilliseconds) => Volatile.Write(ref _latest, new Sample(lagMilliseconds, _time.GetTimestamp()));

    /// <summary>
    /// How far behind the replica may be now, if a read may go there: its measured lag plus the measurement's age (it may
    /// have stopped replaying since), when measured recently and no further behind than allowed.
    /// </summary>
    public bool TryFresh(out long lagMilliseconds)
    {
        var sample = Volatile.Read(ref _latest);
        lagMilliseconds = -1;
        if (_contexts is null || sample is not { LagMilliseconds: { } measured })
        {
            return false;
        }
        var age = _time.GetElapsedTime(sample.TakenAt);
        lagMilliseconds = measured + (long)age.TotalMilliseconds;
        return age <= _trustSampleFor && lagMilliseconds <= _maxLag.TotalMilliseconds;
    }

    private sealed class RefuseWrites : SaveChangesInterceptor
    {
        public static readonly RefuseWrites Instance = new();

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
            throw new InvalidOperationException("A context on the read-only replica was asked to save changes.");

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A context on the read-only replica was asked to save changes.");
    }
}
