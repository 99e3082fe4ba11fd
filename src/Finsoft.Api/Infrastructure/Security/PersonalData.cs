using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Security;

/// <summary>
/// Each person's data key (ADR 0013): a random AES-256 key, stored wrapped by the Data Protection key ring in the
/// person's own row, that seals every personal field of theirs. Destroying it is the erasure: whatever copy of the
/// sealed values survives (backups, free pages, replicas) can no longer be read. Look-ups go through keyed hashes
/// instead: of the email for sign-in, and of each name word for the admin search.
/// </summary>
public sealed class PersonalData(IDataProtectionProvider protection, SensitiveData sensitive)
{
    /// <summary>What the API shows in place of an erased person's field.</summary>
    public const string Erased = "[erased]";

    private readonly IDataProtector _keys = protection.CreateProtector("Finsoft.PersonKeys.v1");

    private static readonly char[] WordBreaks = [' ', '\t', '-', '\'', '.', ',', '"', '(', ')'];

    public string NewWrappedKey() => Convert.ToBase64String(_keys.Protect(RandomNumberGenerator.GetBytes(PersonKey.KeyBytes)));

    /// <summary>A new person: a key of their own, their name and email sealed under it, and the hashes that find them.</summary>
    public void Introduce(UserRow user, string fullName, string normalizedEmail)
    {
        user.DataKey = NewWrappedKey();
        var key = KeyOf(user);
        (user.FullName, user.Email) = (key.Seal(fullName), key.Seal(normalizedEmail));
        (user.EmailHash, user.NameIndex) = (EmailHash(normalizedEmail), NameIndex(fullName));
    }

    public string EmailHash(string normalizedEmail) => sensitive.Hash(SensitiveKinds.Email, normalizedEmail);

    /// <summary>The blind index of a name: each word's hash between spaces, so a whole word is found with <c>LIKE '% hash %'</c>.</summary>
    public string NameIndex(string fullName) => $" {string.Join(' ', NameWordHashes(fullName))} ";

    public IEnumerable<string> NameWordHashes(string text) =>
        text.ToLowerInvariant().Split(WordBreaks, StringSplitOptions.RemoveEmptyEntries).Distinct()
            .Select(word => sensitive.Hash(SensitiveKinds.NameWord, word)[..16]); // 64 bits: a blind index, not an identifier

    public PersonKey KeyOf(UserRow user) => Unwrap(user.DataKey, user.ErasedAt is not null);

    /// <summary>The key of a person not at hand (or only just added, not yet saved); a user that does not exist reads as shredded.</summary>
    public async Task<PersonKey> KeyOfAsync(FinsoftDb db, Guid userId, CancellationToken ct) =>
        db.Users.Local.FirstOrDefault(u => u.Id == userId) is { } staged
            ? KeyOf(staged)
            : (await KeysOfAsync(db, [userId], ct)).GetValueOrDefault(userId, PersonKey.Shredded);

    /// <summary>The keys of several people in one query, as lists need them; each is unwrapped once.</summary>
    public async Task<IReadOnlyDictionary<Guid, PersonKey>> KeysOfAsync(FinsoftDb db, IEnumerable<Guid> userIds, CancellationToken ct)
    {
        var ids = userIds.Distinct().ToList();
        var rows = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, u.DataKey, Erased = u.ErasedAt != null }).ToListAsync(ct);
        return rows.ToDictionary(r => r.Id, r => Unwrap(r.DataKey, r.Erased));
    }

    /// <param name="wrapped">The row's data key; null once shredded.</param>
    /// <param name="erased">The person asked to be erased: fields read as <see cref="Erased"/> even while a legal hold keeps the key.</param>
    public PersonKey Unwrap(string? wrapped, bool erased) =>
        wrapped is null ? PersonKey.Shredded : new PersonKey(_keys.Unprotect(Convert.FromBase64String(wrapped)), erased);
}

/// <summary>
/// Nothing more is stored about an erased person. Raised when a request that began before the erasure committed tries to;
/// answered 409 (<see cref="Http.ErrorHandler"/>).
/// </summary>
public sealed class PersonErasedException() : Exception("This person was erased at their request; nothing more is stored about them.");

/// <summary>One person's key, unwrapped: seals fields with AES-GCM as <c>pd1:</c> + base64(nonce ‖ ciphertext ‖ tag).</summary>
public sealed class PersonKey
{
    public const int KeyBytes = 32;
    private const string Prefix = "pd1:";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static readonly PersonKey Shredded = new(null, erased: true);

    private readonly byte[]? _key;

    internal PersonKey(byte[]? key, bool erased) => (_key, IsErased) = (key, erased);

    public bool IsErased { get; }

    public static bool IsSealed([NotNullWhen(true)] string? value) => value?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    [return: NotNullIfNotNull(nameof(plain))]
    public string? Seal(string? plain)
    {
        if (plain is null)
        {
            return null;
        }
        var key = _key is not null && !IsErased ? _key : throw new PersonErasedException();
        var text = Encoding.UTF8.GetBytes(plain);
        var sealedBytes = new byte[NonceBytes + text.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, text, sealedBytes.AsSpan(NonceBytes, text.Length), sealedBytes.AsSpan(NonceBytes + text.Length));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The field as the API shows it: plain, or <see cref="PersonalData.Erased"/> once the person is erased.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public string? Open(string? value) => value is null ? null : IsErased && IsSealed(value) ? PersonalData.Erased : OpenUnderHold(value);

    /// <summary>
    /// The field for a duty the law keeps alive after erasure (AML screening, the bank's payout of a withdrawal already
    /// under way): plain while the key lasts. A value never sealed (a bare name an analyst screened) is returned as it is.
    /// </summary>
    [return: NotNullIfNotNull(nameof(value))]
    public string? OpenUnderHold(string? value)
    {
        if (!IsSealed(value))
        {
            return value;
        }
        if (_key is null)
        {
            return PersonalData.Erased;
        }
        var sealedBytes = Convert.FromBase64String(value[Prefix.Length..]);
        var length = sealedBytes.Length - NonceBytes - TagBytes;
        var text = new byte[length];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, length), sealedBytes.AsSpan(NonceBytes + length), text);
        return Encoding.UTF8.GetString(text);
    }
}
