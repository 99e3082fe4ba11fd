using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Periods;

/// <summary>
/// The days closed to postings, as the money engine judges each order's date against them: every day of a closed (or closing)
/// period, and every day up to the end of the last fiscal year closed, so a closed year's income stays what its closing entry moved.
/// <para>
/// Each node keeps the calendar it last read, with the version <c>ledger_head.periods_version</c> had then. A change to the periods
/// moves that version under the head's lock; a batch takes the same lock to append its entries and compares the version it finds
/// with the one it planned against. A difference means a period closed (or opened) meanwhile: the batch rolls back and plans again
/// against the new calendar. Nothing is read per batch while the periods stay as they are.
/// </para>
/// </summary>
public sealed class FiscalCalendar
{
    private volatile Snapshot? _current;

    /// <summary>The closed days at one version of the periods.</summary>
    public sealed record Snapshot(long Version, IReadOnlyList<(DateOnly From, DateOnly To)> Closed, DateOnly? YearClosedThrough)
    {
        public bool IsClosed(DateOnly day) => day <= YearClosedThrough || Closed.Any(p => p.From <= day && day <= p.To);
    }

    /// <summary>A batch planned against an older calendar than the one in force when it took the head: it must plan again.</summary>
    public sealed class ChangedException() : Exception("The fiscal periods changed while the batch was planned; planning again.");

    /// <summary>The calendar as this node last read it, reading it first in <paramref name="db"/>'s transaction if it has none.</summary>
    public async Task<Snapshot> CurrentAsync(FinsoftDb db, CancellationToken ct) => _current ??= await ReadAsync(db, ct);

    /// <summary>Throws (and forgets this node's calendar) unless <paramref name="headVersion"/>, read under the head's lock, is the one planned against.</summary>
    public void Confirm(Snapshot plannedAgainst, long headVersion)
    {
        if (plannedAgainst.Version != headVersion)
        {
            _current = null;
            throw new ChangedException();
        }
    }

    /// <summary>Forgets the calendar after this node changed the periods, so the next batch reads them again.</summary>
    public void Forget() => _current = null;

    public static async Task<Snapshot> ReadAsync(FinsoftDb db, CancellationToken ct)
    {
        var version = await db.LedgerHead.AsNoTracking().Where(h => h.Id == 1).Select(h => h.PeriodsVersion).SingleAsync(ct);
        var closed = await db.FiscalPeriods.AsNoTracking().Where(p => p.Status != FiscalPeriodStatus.Open)
            .Select(p => new { p.StartsOn, p.EndsOn, p.YearEnd }).ToListAsync(ct);
        var yearClosedThrough = closed.Where(p => p.YearEnd).Select(p => (DateOnly?)p.EndsOn).Max();
        return new Snapshot(version, closed.Select(p => (p.StartsOn, p.EndsOn)).ToList(), yearClosedThrough);
    }
}
