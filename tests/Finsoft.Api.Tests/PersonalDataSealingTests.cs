using System.Net;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>A database from before schema 0028 (personal fields plain, or under the shared key ring) is sealed per person at start-up.</summary>
public abstract class PersonalDataSealingTests(DatabaseKind kind)
{
    [DbFact]
    public async Task What_older_versions_stored_is_sealed_under_each_persons_key_at_start_up_and_reads_as_before()
    {
        await using var first = await TestApp.StartAsync(kind);
        var api = first.Api();
        var lena = await api.RegisterAsync("lena.legacy@example.test", fullName: "Lena Legacy");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/users/me/profile",
            new { cuit = "20123456786", phone = "+5215598765432", company = "Legacy Imports", birth_date = "1980-01-02" }, lena.Token);
        var clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value;
        var destination = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = clabe, friendly_name = "Savings", holder_name = "Lena Holder" }, lena.Token)).GetProperty("id").GetGuid();
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/records",
            new { amount = "1.00", currency = "MXN", type = "expense", category = "food", date = "2026-11-20", notes = "legacy note" }, lena.Token);
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
            new { type = "bank_account", clabe = Finsoft.Ledger.Clabe.Create("014", "180", "65501234567").Value, holder_name = "Lena Payer" }, lena.Token);

        // Back to how schema 0027 kept them: name, email, company, holders, notes and screened names plain; the rest under the key ring.
        var shared = first.Services.GetRequiredService<SensitiveData>();
        await first.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Id == lena.UserId);
            (user.FullName, user.Email, user.DataKey, user.EmailHash, user.NameIndex) = ("Lena Legacy", "lena.legacy@example.test", null, null, null);
            var profile = await db.UserProfiles.SingleAsync(p => p.UserId == lena.UserId);
            (profile.Cuit, profile.Phone, profile.Company, profile.BirthDate) =
                (shared.Protect("20123456786"), shared.Protect("+5215598765432"), "Legacy Imports", shared.Protect("1980-01-02"));
            var row = await db.DestinationAccounts.SingleAsync(d => d.Id == destination);
            (row.AccountNumber, row.HolderFullName) = (shared.Protect(clabe), "Lena Holder");
            (await db.Records.SingleAsync(r => r.UserId == lena.UserId)).Notes = "legacy note";
            (await db.PaymentMethods.SingleAsync(m => m.UserId == lena.UserId)).HolderName = "Lena Payer";
            foreach (var screening in await db.Screenings.Where(s => s.OwnerId == lena.UserId).ToListAsync())
            {
                (screening.OwnerId, screening.Name, screening.BirthDate) = (null, "Lena Legacy", shared.Protect("1980-01-02"));
            }
            return await db.SaveChangesAsync();
        });
        Assert.Contains("Lena Legacy", await first.WithDbAsync(DataProtectionTests.DumpAsync), StringComparison.Ordinal);

        await using var app = await first.RestartAsync();
        api = app.Api();
        var dump = await app.WithDbAsync(DataProtectionTests.DumpAsync);
        foreach (var plain in new[] { "Lena Legacy", "lena.legacy@", "Legacy Imports", "legacy note", "Lena Holder", "Lena Payer" })
        {
            Assert.DoesNotContain(plain, dump, StringComparison.Ordinal); // each holds a character base64 never does
        }
        Assert.False(await app.WithDbAsync(db => db.DestinationAccounts.AnyAsync(d => !d.AccountNumber.StartsWith("pd1:"))));
        Assert.False(await app.WithDbAsync(db => db.UserProfiles.AnyAsync(p => !p.Cuit!.StartsWith("pd1:"))));

        // Everything reads as it did: sign-in by email, the profile, the destination, the note, the payment method, the admin search.
        lena = await api.LoginAsync("lena.legacy@example.test", lena.Password);
        Assert.Equal("Lena Legacy", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: lena.Token)).GetProperty("full_name").GetString());
        var profileShown = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/users/me/profile", token: lena.Token);
        Assert.Equal(("20-12345678-6", "+5215598765432", "Legacy Imports", "1980-01-02"), (profileShown.GetProperty("cuit").GetString(),
            profileShown.GetProperty("phone").GetString(), profileShown.GetProperty("company").GetString(), profileShown.GetProperty("birth_date").GetString()));
        var shown = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/destination-accounts/{destination}", token: lena.Token);
        Assert.Equal((clabe, "Lena Holder"), (shown.GetProperty("account_number").GetString(), shown.GetProperty("holder_full_name").GetString()));
        Assert.Equal("legacy note", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/records", token: lena.Token))
            .EnumerateArray().Single().GetProperty("notes").GetString());
        Assert.Equal("Lena Payer", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments/methods", token: lena.Token))
            .EnumerateArray().Single().GetProperty("holder_name").GetString());
        var admin = await api.AdminAsync();
        Assert.Single((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/users?search=legacy", token: admin.Token)).EnumerateArray());
        var screened = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/aml/screenings?entity_id={lena.UserId}", token: admin.Token);
        Assert.All(screened.EnumerateArray(), s => Assert.Equal(("Lena Legacy", "1980-01-02"), (s.GetProperty("name").GetString(), s.GetProperty("birth_date").GetString())));
        Assert.All(await app.WithDbAsync(db => db.Screenings.Where(s => s.EntityId == lena.UserId).ToListAsync()),
            s => Assert.Equal((lena.UserId, true), (s.OwnerId!.Value, PersonKey.IsSealed(s.BirthDate))));
    }
}

public sealed class PersonalDataSealingTestsOnSqlite() : PersonalDataSealingTests(DatabaseKind.Sqlite);

public sealed class PersonalDataSealingTestsOnPostgres() : PersonalDataSealingTests(DatabaseKind.Postgres), IPostgresTests;
