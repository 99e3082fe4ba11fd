using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Outbox;

/// <summary>
/// The position of the newest committed event. Events are numbered from the ledger head's counter, moved under the head's
/// lock in the transaction that inserts them, so the committed counter is the newest committed event and every event up to
/// it is committed too. Reading that one row costs the same however busy the feed is; <c>max(position)</c> over the events
/// walks back past the batch being inserted at the end of the index, row by row, on every poll.
/// </summary>
public static class EventHead
{
    public static Task<long> ReadAsync(FinsoftDb db, CancellationToken ct) =>
        db.LedgerHead.AsNoTracking().Where(h => h.Id == 1).Select(h => h.EventPosition).SingleAsync(ct);
}
