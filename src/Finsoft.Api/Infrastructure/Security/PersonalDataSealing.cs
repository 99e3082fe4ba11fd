using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Security;

/// <summary>
/// Seals under each person's key what versions before schema 0028 stored plain or under the shared key ring (ADR 0013).
/// Runs at every start, in batches; after the first it finds nothing to do. Every row it reads leaves sealed, so each
/// batch makes progress.
/// </summary>
public static class PersonalDataSealing
{
    private const int Batch = 500;

    public static async Task SealLegacyPersonalDataAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var data = scope.ServiceProvider.GetRequiredService<PersonalData>();
        var shared = scope.ServiceProvider.GetRequiredService<SensitiveData>();
        string? Reseal(PersonKey key, string? legacy) => PersonKey.IsSealed(legacy) ? legacy : key.Seal(legacy is null ? null : shared.Reveal(legacy));
        string? Seal(PersonKey key, string? plain) => PersonKey.IsSealed(plain) ? plain : key.Seal(plain);

        await SealAsync(db, data, db.Users.Where(u => u.DataKey == null && u.ErasedAt == null), u => u.Id, (u, _) =>
        {
            var mfaPhone = u.MfaPhone is null ? null : shared.Reveal(u.MfaPhone);
            data.Introduce(u, u.FullName, u.Email);
            u.MfaPhone = data.KeyOf(u).Seal(mfaPhone);
        }, ct);
        await SealAsync(db, data, db.UserProfiles.Where(p => !(p.Company ?? "pd1:").StartsWith("pd1:") || !(p.Cuit ?? "pd1:").StartsWith("pd1:")
            || !(p.Phone ?? "pd1:").StartsWith("pd1:") || !(p.BirthDate ?? "pd1:").StartsWith("pd1:")), p => p.UserId, (p, key) =>
            (p.Company, p.Cuit, p.Phone, p.BirthDate) = (Seal(key, p.Company), Reseal(key, p.Cuit), Reseal(key, p.Phone), Reseal(key, p.BirthDate)), ct);
        await SealAsync(db, data, db.DestinationAccounts.Where(d => !d.HolderFullName.StartsWith("pd1:") || !d.AccountNumber.StartsWith("pd1:")), d => d.UserId,
            (d, key) => (d.HolderFullName, d.AccountNumber) = (Seal(key, d.HolderFullName)!, Reseal(key, d.AccountNumber)!), ct);
        await SealAsync(db, data, db.Records.Where(r => r.Notes != null && !r.Notes.StartsWith("pd1:")), r => r.UserId, (r, key) => r.Notes = Seal(key, r.Notes), ct);
        await SealAsync(db, data, db.PaymentMethods.Where(m => !m.HolderName.StartsWith("pd1:")), m => m.UserId, (m, key) => m.HolderName = Seal(key, m.HolderName)!, ct);
        await SealScreeningsAsync(db, data, Seal, Reseal, ct);
    }

    /// <summary>Screenings of a user or a destination before 0028 named no owner: it is the user, or the destination's customer.</summary>
    private static async Task SealScreeningsAsync(FinsoftDb db, PersonalData data, Func<PersonKey, string?, string?> seal,
        Func<PersonKey, string?, string?> reseal, CancellationToken ct)
    {
        while (true)
        {
            var rows = await db.Screenings.Where(s => s.OwnerId == null && s.EntityId != null && !s.Name.StartsWith("pd1:")).Take(Batch).ToListAsync(ct);
            if (rows.Count == 0)
            {
                return;
            }
            var ids = rows.Select(s => s.EntityId!.Value).ToList();
            var destinationOwners = await db.DestinationAccounts.Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.UserId, ct);
            foreach (var row in rows)
            {
                row.OwnerId = destinationOwners.TryGetValue(row.EntityId!.Value, out var customer) ? customer : row.EntityId;
            }
            var keys = await data.KeysOfAsync(db, rows.Select(s => s.OwnerId!.Value), ct);
            foreach (var row in rows)
            {
                var key = keys.GetValueOrDefault(row.OwnerId!.Value, PersonKey.Shredded);
                (row.Name, row.BirthDate) = key == PersonKey.Shredded ? (PersonalData.Erased, null) : (seal(key, row.Name)!, reseal(key, row.BirthDate));
                row.OwnerId = key == PersonKey.Shredded ? null : row.OwnerId;
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }

    private static async Task SealAsync<T>(FinsoftDb db, PersonalData data, IQueryable<T> unsealed, Func<T, Guid> ownerOf,
        Action<T, PersonKey> seal, CancellationToken ct) where T : class
    {
        while (true)
        {
            var rows = await unsealed.Take(Batch).ToListAsync(ct);
            if (rows.Count == 0)
            {
                return;
            }
            var keys = await data.KeysOfAsync(db, rows.Select(ownerOf), ct);
            foreach (var row in rows)
            {
                seal(row, keys.GetValueOrDefault(ownerOf(row), PersonKey.Shredded));
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }
}
