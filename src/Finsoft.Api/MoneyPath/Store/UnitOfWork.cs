using System.Diagnostics;
using Finsoft.Api.Host.Observability;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Store;

/// <summary>
/// Runs one database transaction: commits on success, rolls back on a business error, and retries
/// the whole of it when the database reports a deadlock, a serialisation failure or a busy writer.
/// </summary>
public sealed class UnitOfWork(FinsoftDb db, ILogger<UnitOfWork> logger)
{
    private const int MaxAttempts = 8;

    /// <param name="alsoRetry">Further failures that a fresh attempt cures for this work (the engine: a key another node stored meanwhile).</param>
    public async Task<Result<T>> RunAsync<T>(Func<CancellationToken, Task<Result<T>>> work, CancellationToken ct, Func<Exception, bool>? alsoRetry = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var result = await work(ct);
                if (result.IsSuccess)
                {
                    var committing = Stopwatch.GetTimestamp();
                    await transaction.CommitAsync(ct);
                    FinsoftMetrics.Commit(Stopwatch.GetElapsedTime(committing));
                }
                else
                {
                    await transaction.RollbackAsync(ct);
                }
                return result;
            }
            catch (Exception e) when (attempt < MaxAttempts && (DatabaseSetup.IsTransient(e) || alsoRetry?.Invoke(e) == true))
            {
                logger.LogDebug("Transient database conflict (attempt {Attempt}); retrying: {Message}", attempt, e.Message);
                FinsoftMetrics.Retried(DatabaseSetup.IsTransient(e) ? "conflict" : "other");
                await Task.Delay(Random.Shared.Next(1, 10 * attempt), ct);
            }
        }
    }
}
