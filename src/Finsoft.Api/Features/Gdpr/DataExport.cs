using System.IO.Compression;
using System.Text.Json;
using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Features.Audit;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Features.Psd2;
using Finsoft.Api.Features.Users;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Ledger;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Gdpr;

/// <summary>
/// What Finsoft holds about one person, as JSON files in a zip (GDPR arts. 15 and 20): the profile, the wallets it holds, its
/// destinations, the transactions of those wallets, its records, payment methods and PSD2 consents, and the audit events about
/// it. Only rows keyed to the person are read. The zip is kept encrypted (Data Protection) until it expires.
/// </summary>
public sealed class DataExport(PersonalData personal, IDataProtectionProvider protection)
{
    public const int FormatVersion = 1;

    private readonly IDataProtector _exports = protection.CreateProtector("Finsoft.GdprExports.v1");

    public sealed record Manifest(int FormatVersion, Guid RequestId, string Type, Guid UserId, DateTime GeneratedAt, IReadOnlyList<string> Files);

    public sealed record Profile(UserDto User, Profiles.ProfileDto Details);

    public sealed record HeldAccount(AccountDto Account, string HeldAs, DateTime? ClosedAt);

    public sealed record Destination(
        Guid Id, string AccountNumber, string BankCode, string BankName, string FriendlyName, string HolderFullName, string VerificationStatus,
        DateTime CreatedAt, DateTime? DeletedAt);

    public sealed record Record(
        Guid Id, string Type, string Amount, string Currency, string Category, DateOnly Date, string? Notes, Guid? TransactionId, DateTime CreatedAt,
        DateTime? DeletedAt);

    public sealed record PaymentMethod(
        Guid Id, string Type, string Provider, string? Brand, string Last4, int? ExpMonth, int? ExpYear, string HolderName, string? BankName,
        DateTime CreatedAt, DateTime? DeletedAt);

    /// <summary>The person's data as a zip, made in memory (an export is one column, as a report job's file is).</summary>
    /// <param name="stillMine">Called before each file: renews the worker's lease, or throws when another node took the request over.</param>
    public async Task<byte[]> BuildAsync(FinsoftDb db, DataRequestRow request, DateTime now, Func<CancellationToken, Task> stillMine, CancellationToken ct)
    {
        var userId = request.UserId;
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        var key = personal.KeyOf(user); // everything personal in the export is the subject's own, sealed under its key
        var profile = await db.UserProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, ct);
        var held = await db.Accounts.AsNoTracking().HeldBy(db, userId).OrderBy(a => a.CreatedAt).ToListAsync(ct);
        var heldIds = held.Select(a => (Guid?)a.Id).ToList();
        var files = new List<(string Name, Func<Stream, Task> Write)>
        {
            ("profile.json", s => WriteAsync(s, new Profile(UserDto.From(user, key), Profiles.ToDto(userId, profile, key)), ct)),
            ("accounts.json", s => WriteAsync(s, held.Select(a => new HeldAccount(AccountDto.From(a), a.UserId == userId ? "owner" : "joint holder", a.ClosedAt)), ct)),
            ("destinations.json", async s => await WriteAsync(s, (await db.DestinationAccounts.AsNoTracking().Where(d => d.UserId == userId)
                .OrderBy(d => d.CreatedAt).ToListAsync(ct)).Select(d => new Destination(d.Id, key.Open(d.AccountNumber), d.BankCode, d.BankName,
                    d.FriendlyName, key.Open(d.HolderFullName), d.VerificationStatus, d.CreatedAt, d.DeletedAt)), ct)),
            // Read row by row into the zip, not listed first: a busy wallet's history is in memory once, compressed.
            ("transactions.json", s => JsonSerializer.SerializeAsync(s, db.Transactions.AsNoTracking()
                .Where(t => heldIds.Contains(t.OriginAccountId) || heldIds.Contains(t.DestinationAccountId))
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).AsAsyncEnumerable().Select(TransactionDto.From), Json.Options, ct)),
            ("records.json", async s => await WriteAsync(s, (await db.Records.AsNoTracking().Where(r => r.UserId == userId).OrderBy(r => r.CreatedAt).ToListAsync(ct))
                .Select(r => new Record(r.Id, r.Type, Money.Format(r.Amount, Currency.Get(r.Currency)), r.Currency, r.Category, r.Date, key.Open(r.Notes), r.TransactionId,
                    r.CreatedAt, r.DeletedAt)), ct)),
            ("payment_methods.json", async s => await WriteAsync(s, (await db.PaymentMethods.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.CreatedAt)
                .ToListAsync(ct)).Select(p => new PaymentMethod(p.Id, p.Type, p.Provider, p.Brand, p.Last4, p.ExpMonth, p.ExpYear, key.Open(p.HolderName), p.BankName,
                    p.CreatedAt, p.DeletedAt)), ct)),
            ("consents.json", async s => await WriteAsync(s, (await db.Consents.AsNoTracking().Where(c => c.UserId == userId).OrderBy(c => c.CreatedAt)
                .Join(db.Tpps, c => c.TppId, t => t.Id, (c, t) => new { c, t }).ToListAsync(ct)).Select(x => ConsentDto.From(x.c, x.t)), ct)),
            ("audit_events.json", s => JsonSerializer.SerializeAsync(s, db.AuditEvents.AsNoTracking()
                // About the person, or done by it to no one else: what a staff member did to others is theirs (art. 15(4)).
                .Where(e => e.SubjectId == userId || (e.ActorId == userId && e.SubjectId == null)).OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)
                .AsAsyncEnumerable().Select(AuditEndpoints.AuditEventDto.From), Json.Options, ct)),
        };
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, write) in files)
            {
                await stillMine(ct);
                await using var entry = await archive.CreateEntry(name, CompressionLevel.Optimal).OpenAsync(ct);
                await write(entry);
            }
            await using var manifest = await archive.CreateEntry("manifest.json").OpenAsync(ct);
            await WriteAsync(manifest, new Manifest(FormatVersion, request.Id, request.Type, userId, now, files.Select(f => f.Name).ToList()), ct);
        }
        return zip.ToArray();
    }

    public byte[] Seal(byte[] zip) => _exports.Protect(zip);

    public byte[] Open(byte[] sealedZip) => _exports.Unprotect(sealedZip);

    private static Task WriteAsync<T>(Stream stream, T value, CancellationToken ct) => JsonSerializer.SerializeAsync(stream, value, Json.Options, ct);
}
