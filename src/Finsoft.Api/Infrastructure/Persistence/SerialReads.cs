using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>
/// Runs a read without PostgreSQL's parallel workers. For an ordered walk of one index range with a join per row (a statement's
/// lines) the planner picks a Gather Merge whose workers hand rows to the leader one by one; on a small server that is more than
/// ten times slower than the walk alone (10,000 lines: 364 ms against 28, measured beside bench/large). SET LOCAL keeps it to
/// this transaction, so a pooled connection (PgBouncer in transaction mode) carries nothing on. SQLite has no parallel plans.
/// </summary>
public static class SerialReads
{
    public static async Task<T> SeriallyAsync<T>(this FinsoftDb db, Func<Task<T>> read, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql() || db.Database.CurrentTransaction is not null)
        {
            return await read();
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SET LOCAL max_parallel_workers_per_gather = 0", ct);
        var result = await read();
        await transaction.CommitAsync(ct);
        return result;
    }
}
