using Finsoft.Api.Features.Aml;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Security;

/// <summary>
/// Seals under each person's key what versions before schema 0028 stored plain or under the shared key ring (ADR 0013),
/// and rewrites the review reasons that named the person. Runs at every start, in batches; after the first it finds
/// nothing to do. Each batch is one transaction under the migrations' lock, so nodes starting together take turns and
/// a person gets one key. Every row a batch reads leaves sealed (or, if its owner's key is gone, erased): each makes progress.
/// Nodes of a version before 0028 store plain values: stop them all before the first node of this one starts.
/// </summary>
public static class PersonalDataSealing
{
    private const int Batch = 500;
    private const string Sealed = "pd1:";
    private const string Erased = PersonalData.Erased;

    public static async Task SealLegacyPersonalDataAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var data = scope.ServiceProvider.GetRequiredService<PersonalData>();
        var shared = scope.ServiceProvider.GetRequiredService<SensitiveData>();
        // Fields an older version kept under the shared key ring are opened with it first; an erased owner's are erased.
        string? Reseal(PersonKey key, string? legacy) => Seal(key, legacy is null || PersonKey.IsSealed(legacy) || legacy == Erased ? legacy : shared.Reveal(legacy));
        string? Seal(PersonKey key, string? plain) => plain is null || PersonKey.IsSealed(plain) || plain == Erased ? plain : key.IsErased ? Erased : key.Seal(plain);

        await InBatchesAsync(db, db.Users.Where(u => u.DataKey == null && u.ErasedAt == null), rows =>
        {
            foreach (var user in rows)
            {
                var mfaPhone = user.MfaPhone is null ? null : shared.Reveal(user.MfaPhone);
                data.Introduce(user, user.FullName, user.Email);
                user.MfaPhone = data.KeyOf(user).Seal(mfaPhone);
            }
            return Task.CompletedTask;
        }, ct);
        await OwnedAsync(db, data, db.UserProfiles.Where(p => !(p.Company ?? Sealed).StartsWith(Sealed) && p.Company != Erased
            || !(p.Cuit ?? Sealed).StartsWith(Sealed) && p.Cuit != Erased || !(p.Phone ?? Sealed).StartsWith(Sealed) && p.Phone != Erased
            || !(p.BirthDate ?? Sealed).StartsWith(Sealed) && p.BirthDate != Erased), p => p.UserId, (p, key) =>
            (p.Company, p.Cuit, p.Phone, p.BirthDate) = (Seal(key, p.Company), Reseal(key, p.Cuit), Reseal(key, p.Phone), Reseal(key, p.BirthDate)), ct);
        await OwnedAsync(db, data, db.DestinationAccounts.Where(d => !d.HolderFullName.StartsWith(Sealed) && d.HolderFullName != Erased
            || !d.AccountNumber.StartsWith(Sealed) && d.AccountNumber != Erased), d => d.UserId,
            (d, key) => (d.HolderFullName, d.AccountNumber) = (Seal(key, d.HolderFullName)!, Reseal(key, d.AccountNumber)!), ct);
        await OwnedAsync(db, data, db.Records.Where(r => r.Notes != null && !r.Notes.StartsWith(Sealed) && r.Notes != Erased), r => r.UserId,
            (r, key) => r.Notes = Seal(key, r.Notes), ct);
        await OwnedAsync(db, data, db.PaymentMethods.Where(m => !m.HolderName.StartsWith(Sealed) && m.HolderName != Erased), m => m.UserId,
            (m, key) => m.HolderName = Seal(key, m.HolderName)!, ct);
        await InBatchesAsync(db, db.Screenings.Where(s => s.OwnerId == null && s.EntityId != null && !s.Name.StartsWith(Sealed) && s.Name != Erased), async rows =>
        {
            // Before 0028 a screening of a user or a destination named no owner: it is the user, or the destination's customer.
            var ids = rows.Select(s => s.EntityId!.Value).ToList();
            var customers = await db.DestinationAccounts.Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.UserId, ct);
            var keys = await data.KeysOfAsync(db, rows.Select(s => customers.GetValueOrDefault(s.EntityId!.Value, s.EntityId!.Value)), ct);
            foreach (var row in rows)
            {
                var owner = customers.GetValueOrDefault(row.EntityId!.Value, row.EntityId!.Value);
                var key = keys.GetValueOrDefault(owner, PersonKey.Shredded);
                (row.OwnerId, row.Name, row.BirthDate) = (keys.ContainsKey(owner) ? owner : null, Seal(key, row.Name)!, Reseal(key, row.BirthDate));
            }
        }, ct);
        // A match's review named the person; it names the listed name it resembles now, as new ones do.
        await InBatchesAsync(db, db.Reviews.Where(r => r.Kind == ReviewKind.ScreeningMatch && !r.Reason.StartsWith(Screener.ReasonPrefix)), rows =>
        {
            foreach (var review in rows)
            {
                review.Reason = Screener.MatchReason(review.EntityType ?? Screenings.User, review.MatchedName ?? "a listed name", review.Source ?? "a list",
                    review.Score ?? 0);
            }
            return Task.CompletedTask;
        }, ct);
    }

    private static Task OwnedAsync<T>(FinsoftDb db, PersonalData data, IQueryable<T> unsealed, Func<T, Guid> ownerOf, Action<T, PersonKey> seal,
        CancellationToken ct) where T : class =>
        InBatchesAsync(db, unsealed, async rows =>
        {
            var keys = await data.KeysOfAsync(db, rows.Select(ownerOf), ct);
            foreach (var row in rows)
            {
                seal(row, keys.GetValueOrDefault(ownerOf(row), PersonKey.Shredded));
            }
        }, ct);

    private static async Task InBatchesAsync<T>(FinsoftDb db, IQueryable<T> unsealed, Func<List<T>, Task> seal, CancellationToken ct) where T : class
    {
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({MigrationRunner.AdvisoryLockKey})", ct);
            }
            var rows = await unsealed.Take(Batch).ToListAsync(ct); // read under the lock: what another node sealed is not read again
            if (rows.Count == 0)
            {
                return;
            }
            await seal(rows);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            db.ChangeTracker.Clear();
        }
    }
}
