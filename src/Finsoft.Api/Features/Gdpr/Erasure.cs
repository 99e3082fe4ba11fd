using System.Text.Json;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Features.Psd2;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Gdpr;

/// <summary>
/// Erasure by crypto-shredding (GDPR art. 17; ADR 0013). The person's fields are sealed under a key of their own; erasing
/// them ends the account, clears every look-up hash, and destroys that key, at once when nothing of theirs must be kept,
/// or when the legal hold the request names ends (<see cref="ShredDueAsync"/>). The journal, balances and hash chain hold
/// ids and amounts only, so they verify as before.
/// </summary>
public sealed class Erasure(AuditTrail audit, IOptions<FinsoftOptions> options, TimeProvider time, ILogger<Erasure> logger)
{
    /// <summary>AML record keeping: customer data and transaction records for five years after the relationship ends.</summary>
    public const string AmlRecordKeeping = "aml_record_keeping";

    private static readonly string[] InFlight = [TransactionLifecycle.Wire(TransactionStatus.Pending), TransactionLifecycle.Wire(TransactionStatus.Processing)];

    public sealed record LegalHold(string Name, DateTime Until, string Keeps);

    /// <summary>
    /// Why this person cannot be erased yet, as a 409 problem; null when nothing stands in the way. Runs in the erasure's
    /// transaction after the user's row is locked (and, for an admin, every active admin's, as demoting one does).
    /// </summary>
    public static async Task<JsonBody?> RefusalAsync(FinsoftDb db, UserRow user, CancellationToken ct)
    {
        var owned = db.Accounts.Where(a => a.UserId == user.Id);
        string? reason =
            user.ErasedAt is not null ? "This person is erased already."
            : await owned.AnyAsync(a => a.ClosedAt == null && (a.Balance != 0 || a.Held != 0), ct)
                ? "The person still has money in an account (or on hold): it must be paid out or moved before erasure."
            : await db.Loans.AnyAsync(l => l.UserId == user.Id && l.Status == LoanStatus.Active, ct)
                ? "The person has a loan that is not paid off."
            : await MovementsOf(db, user.Id).AnyAsync(t => InFlight.Contains(t.Status), ct)
                ? "A movement of the person's is still in flight; erase once it is settled."
            : user.ComplianceHold
                ? "A watch-list match of the person's is open or confirmed: compliance decides it, and keeps its evidence, first."
            : user.Role == Roles.Admin && await LastActiveAdminAsync(db, user.Id, ct)
                ? "This is the last active admin; make another admin first."
            : null;
        return reason is null ? null : ApiResults.Problem(StatusCodes.Status409Conflict, reason, errorCode: "erasure_blocked");
    }

    /// <summary>
    /// Every movement the person took part in: on an account they own, made by them (a joint holder's, on another's
    /// wallet), or paid out to one of their destinations.
    /// </summary>
    private static IQueryable<TransactionRow> MovementsOf(FinsoftDb db, Guid userId)
    {
        var owned = db.Accounts.Where(a => a.UserId == userId).Select(a => (Guid?)a.Id);
        var destinations = db.DestinationAccounts.Where(d => d.UserId == userId).Select(d => (Guid?)d.Id);
        return db.Transactions.Where(t => t.InitiatedBy == userId || owned.Contains(t.OriginAccountId) || owned.Contains(t.DestinationAccountId)
            || destinations.Contains(t.ExternalDestinationId));
    }

    /// <summary>Locks the active admins' rows on PostgreSQL, so two admins erased at once cannot both pass for "not the last".</summary>
    private static async Task<bool> LastActiveAdminAsync(FinsoftDb db, Guid userId, CancellationToken ct)
    {
        var admins = db.Database.IsNpgsql()
            ? await db.Users.FromSql($"SELECT * FROM users WHERE role = 'admin' AND is_active AND deleted_at IS NULL ORDER BY id FOR UPDATE")
                .AsNoTracking().Select(u => u.Id).ToListAsync(ct)
            : await db.Users.Where(u => u.Role == Roles.Admin && u.IsActive && u.DeletedAt == null).Select(u => u.Id).ToListAsync(ct);
        return admins.All(id => id == userId);
    }

    /// <summary>
    /// Erases the person in the caller's transaction (the user's row locked and checked by <see cref="RefusalAsync"/>):
    /// returns the legal holds, or null when an account could not be closed (money arrived meanwhile) and nothing may change.
    /// </summary>
    public async Task<IReadOnlyList<LegalHold>?> EraseAsync(FinsoftDb db, UserRow user, Guid adminId, Guid requestId, CancellationToken ct)
    {
        var now = time.UtcNow();
        var open = await db.Accounts.CountAsync(a => a.UserId == user.Id && a.ClosedAt == null, ct);
        // Conditional, as closing an account is: a deposit racing the erasure leaves it open, and the erasure is refused.
        var closed = await db.Accounts.Where(a => a.UserId == user.Id && a.ClosedAt == null && a.Balance == 0 && a.Held == 0)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClosedAt, now).SetProperty(a => a.UpdatedAt, now), ct);
        if (closed != open)
        {
            return null;
        }
        var holds = await HoldsAsync(db, user.Id, now, hadOpenAccount: open > 0, ct);

        await db.Sessions.Where(s => s.UserId == user.Id).RevokeAsync(now, ct);
        await db.MfaRecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.MfaSmsCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.ExternalLogins.Where(l => l.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.AccountGrants.Where(g => g.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.UserProfiles.Where(p => p.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.CuitHash, (string?)null), ct);
        await db.DestinationAccounts.Where(d => d.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.AccountNumberHash, (string?)null)
            .SetProperty(d => d.DeletedAt, d => d.DeletedAt ?? now).SetProperty(d => d.UpdatedAt, now), ct);
        await db.PaymentMethods.Where(m => m.UserId == user.Id && m.DeletedAt == null).ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedAt, now), ct);
        await db.Consents.Where(c => c.UserId == user.Id && (c.Status == ConsentStatus.Received || c.Status == ConsentStatus.Valid))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConsentStatus.RevokedByPsu).SetProperty(c => c.StatusChangedAt, now), ct);
        // Exports made for the person are copies of their data under the shared key ring: they go now.
        await db.DataRequests.Where(r => r.UserId == user.Id && r.Export != null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Export, (byte[]?)null).SetProperty(r => r.ExportBytes, (long?)null), ct);
        await db.ScreeningSchedules.Where(s => s.EntityType == Screenings.User && s.EntityId == user.Id).ExecuteDeleteAsync(ct);
        // Answers that copied the person's fields in the open: stored responses to keyed requests, statements made as reports
        // (a month's statements of every customer among them), and the text of their own requests.
        await db.IdempotencyKeys.Where(k => k.UserId == user.Id).ExecuteDeleteAsync(ct);
        var accounts = await db.Accounts.Where(a => a.UserId == user.Id).Select(a => a.Id.ToString()).ToListAsync(ct);
        var statements = db.ReportJobs.Where(j => j.Content != null
            && (j.Report == ReportJobs.ReportCatalog.CustomerStatements || j.Report == ReportJobs.ReportCatalog.AccountStatement));
        foreach (var job in await statements.Select(j => new { j.Id, j.Report, j.Parameters }).ToListAsync(ct))
        {
            if (job.Report == ReportJobs.ReportCatalog.CustomerStatements || accounts.Any(id => job.Parameters.Contains(id, StringComparison.OrdinalIgnoreCase)))
            {
                await db.ReportJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Content, (byte[]?)null)
                    .SetProperty(j => j.SizeBytes, (long?)null), ct);
            }
        }
        await db.DataRequests.Where(r => r.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Details, (string?)null), ct);
        // An export being made now read the person before this: refused, and the worker's lease with it, so it is never stored.
        await db.DataRequests.Where(r => r.UserId == user.Id && r.Id != requestId
                && (r.Status == DataRequestStatus.Received || r.Status == DataRequestStatus.Processing))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, DataRequestStatus.Rejected).SetProperty(r => r.LeaseUntil, (DateTime?)null)
                .SetProperty(r => r.Reason, "The person was erased.").SetProperty(r => r.DecidedBy, adminId).SetProperty(r => r.UpdatedAt, now), ct);

        (user.IsActive, user.ErasedAt, user.UpdatedAt) = (false, now, now);
        (user.EmailHash, user.NameIndex) = (null, null);
        (user.MfaEnabled, user.MfaMethod, user.MfaSecret, user.MfaPendingSecret, user.MfaPhone) = (false, null, null, null, null);
        user.ShredAfter = holds.Count == 0 ? null : holds.Max(h => h.Until);
        if (holds.Count == 0)
        {
            user.DataKey = null; // nothing must be kept: shredded now
        }
        audit.Add(db, AuditEvents.PersonErased, adminId, user.Id, new { request_id = requestId, shredded = holds.Count == 0, shred_after = user.ShredAfter });
        return holds;
    }

    /// <summary>
    /// Once committed, the erasure goes to the service log too, kept outside the database: after restoring an older backup,
    /// the erasures since are replayed from it.
    /// </summary>
    public void Announce(Guid userId, Guid requestId, IReadOnlyList<LegalHold> holds) =>
        logger.LogInformation("Erased person {UserId} (request {RequestId}); data key {Fate}", userId, requestId,
            holds.Count == 0 ? "destroyed" : $"kept under a legal hold until {holds.Max(h => h.Until):O}");

    /// <summary>
    /// What the law makes Finsoft keep. A person who ever moved money is a customer AML covers: their data and records stay,
    /// sealed and shown to no one but compliance, until five years after the relationship ends (now, if an account was
    /// open until this erasure; else the later of the last movement and the last account closing).
    /// </summary>
    private async Task<List<LegalHold>> HoldsAsync(FinsoftDb db, Guid userId, DateTime now, bool hadOpenAccount, CancellationToken ct)
    {
        var owned = db.Accounts.Where(a => a.UserId == userId);
        var lastMovement = await MovementsOf(db, userId).MaxAsync(t => (DateTime?)t.CreatedAt, ct);
        if (lastMovement is null)
        {
            return [];
        }
        var lastClosing = await owned.MaxAsync(a => a.ClosedAt, ct);
        var ended = hadOpenAccount ? now : new[] { lastMovement.Value, lastClosing ?? lastMovement.Value }.Max();
        return [new LegalHold(AmlRecordKeeping, ended.AddYears(options.Value.Gdpr.AmlRetentionYears),
            "identity (name, email, profile), destination accounts and screenings, sealed and readable only by compliance")];
    }

    public static string Describe(IReadOnlyList<LegalHold> holds) => JsonSerializer.Serialize(holds, Json.Options);

    /// <summary>
    /// After a key is destroyed, so the old row version does not linger where the database keeps it: SQLite zeroes freed
    /// space (secure_delete) and folds the write-ahead log back and empties it; PostgreSQL vacuums the users table. The key
    /// is destroyed already when this runs: a failure is logged, not thrown at the admin whose erasure completed.
    /// </summary>
    public async Task CompactAsync(FinsoftDb db, CancellationToken ct)
    {
        try
        {
            await CompactOrThrowAsync(db, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Compacting after a key was destroyed failed; the old row version stays until the database reuses its page");
        }
    }

    private static async Task CompactOrThrowAsync(FinsoftDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM users", ct); // a role that does not own the table is warned and skips it
            return;
        }
        // A checkpoint that readers kept from finishing says so (busy = 1); it is tried again, since until it finishes the old
        // page is still in the write-ahead log.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                await using var checkpoint = db.Database.GetDbConnection().CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await using var result = await checkpoint.ExecuteReaderAsync(ct);
                if (await result.ReadAsync(ct) && result.GetInt32(0) == 0)
                {
                    return;
                }
                await Task.Delay(50, ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Destroys the keys whose legal hold has ended; returns how many. Run by <see cref="DataRequestProcessor"/>.</summary>
    public async Task<int> ShredDueAsync(FinsoftDb db, CancellationToken ct)
    {
        var now = time.UtcNow();
        var due = await db.Users.Where(u => u.ShredAfter <= now && u.DataKey != null).Select(u => u.Id).Take(500).ToListAsync(ct);
        var shredded = 0;
        foreach (var id in due)
        {
            // One at a time and conditional: two nodes shredding at once record each key's end once.
            if (await db.Users.Where(u => u.Id == id && u.DataKey != null)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.DataKey, (string?)null).SetProperty(u => u.UpdatedAt, now), ct) == 1)
            {
                shredded++;
                await audit.RecordAsync(db, AuditEvents.PersonalDataShredded, null, id, new { legal_hold = AmlRecordKeeping });
                logger.LogInformation("Shredded the data key of person {UserId}: its legal hold ended", id);
            }
        }
        if (shredded > 0)
        {
            await CompactAsync(db, ct);
        }
        return shredded;
    }
}
