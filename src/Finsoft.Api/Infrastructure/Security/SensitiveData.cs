using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Security;

/// <summary>
/// Encryption at rest for sensitive fields (destination account numbers, CUIT, phone) with Data
/// Protection keys, and a keyed hash (HMAC-SHA256) of each for uniqueness checks and look-ups, so the
/// plain value never reaches the database. The hash key is random, made once, and stored encrypted by
/// the same key ring; <see cref="InitialiseAsync"/> loads it at start-up.
/// </summary>
public sealed class SensitiveData(IDataProtectionProvider protection)
{
    private const string HashKeyName = "field-hash-key-v1";
    private readonly IDataProtector _fields = protection.CreateProtector("Finsoft.SensitiveFields.v1");
    private readonly IDataProtector _secrets = protection.CreateProtector("Finsoft.ProtectedSecrets.v1");
    private byte[]? _hashKey;

    public string Protect(string plain) => _fields.Protect(plain);

    public string Reveal(string cipher) => _fields.Unprotect(cipher);

    /// <summary>The keyed hash of a value within a kind ("clabe", "cuit"), so equal values of different kinds never collide.</summary>
    public string Hash(string kind, string plain)
    {
        var key = _hashKey ?? throw new InvalidOperationException("SensitiveData.InitialiseAsync has not run.");
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{kind}:{plain}")));
    }

    /// <summary>Loads the hash key, creating it if this is the first node to start; a node racing us stores nothing twice.</summary>
    public async Task InitialiseAsync(FinsoftDb db, CancellationToken ct)
    {
        var stored = await db.ProtectedSecrets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == HashKeyName, ct);
        if (stored is null)
        {
            db.ProtectedSecrets.Add(new ProtectedSecretRow
            {
                Name = HashKeyName, Value = Convert.ToBase64String(_secrets.Protect(RandomNumberGenerator.GetBytes(32))),
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
            }
            stored = await db.ProtectedSecrets.AsNoTracking().SingleAsync(s => s.Name == HashKeyName, ct);
        }
        _hashKey = _secrets.Unprotect(Convert.FromBase64String(stored.Value));
    }
}
