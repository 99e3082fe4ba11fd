using System.Net;
using System.Text;
using System.Text.Json;
using Finsoft.Api.Features.Gdpr;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>
/// Erasure by crypto-shredding over HTTP (ADR 0013): the person's values are never in the database as written, and once the
/// key is destroyed nothing can open them, the key included; the ledger still verifies; a legal hold keeps them until it ends.
/// </summary>
public abstract class GdprErasureTests(DatabaseKind kind)
{
    private sealed record Person(ApiClient.Session Session, Guid Wallet, string[] Values);

    /// <summary>A customer with every kind of personal field: name, email, profile, a destination, a note, a payment method.</summary>
    private static async Task<Person> PersonAsync(ApiClient api, string surname, string cuit, string phone, string branch)
    {
        var email = $"{surname.ToLowerInvariant()}.erasable@example.test";
        var session = await api.RegisterAsync(email, fullName: $"Irene {surname}");
        var wallet = await api.CreateAccountAsync(session.Token);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/users/me/profile",
            new { cuit, phone, company = $"{surname} Imports", birth_date = "1987-03-14" }, session.Token);
        var clabe = Finsoft.Ledger.Clabe.Create("012", branch, "01002029399").Value;
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = clabe, friendly_name = "Savings", holder_name = $"{surname} Holder" }, session.Token);
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/records",
            new { amount = "12.50", currency = "MXN", type = "expense", category = "food", date = "2026-11-20", notes = $"dinner with {surname}'s aunt" }, session.Token);
        var payee = Finsoft.Ledger.Clabe.Create("014", branch, "65501234567").Value;
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
            new { type = "bank_account", clabe = payee, holder_name = $"{surname} Payer" }, session.Token);
        return new Person(session, wallet, [surname, email, cuit, cuit[2..10], phone[1..], clabe, payee, "1987-03-14"]);
    }

    private static async Task<string> FileErasureAsync(ApiClient api, ApiClient.Session person) =>
        (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests", new { type = "erasure" }, person.Token))
            .GetProperty("id").GetString()!;

    /// <summary>Every value of every table, and for SQLite every byte of its files.</summary>
    private static async Task<string> RawAsync(TestApp app)
    {
        var raw = new StringBuilder(await app.WithDbAsync(DataProtectionTests.DumpAsync));
        if (app.Kind == DatabaseKind.Sqlite)
        {
            foreach (var file in Directory.GetFiles(app.DataDirectory, "finsoft.db*"))
            {
                raw.Append(Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
            }
        }
        return raw.ToString();
    }

    private static Task<string?> DataKeyAsync(TestApp app, Guid userId) =>
        app.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.DataKey).SingleAsync());

    [DbFact]
    public async Task Erasing_a_person_who_never_moved_money_shreds_the_key_at_once_and_the_raw_database_holds_none_of_their_values()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var irene = await PersonAsync(api, "Quintanilla", "20123456786", "+5215598765432", "180");
        var other = await PersonAsync(api, "Villalobos", "27287654311", "+5215511112222", "181");
        var key = await DataKeyAsync(app, irene.Session.UserId);
        Assert.NotNull(key);

        // Sealed from the start: neither person's values are in the database as they were written.
        var before = await RawAsync(app);
        Assert.Contains(irene.Session.UserId.ToString(), before, StringComparison.OrdinalIgnoreCase); // the dump did read the tables
        Assert.Contains(key, before, StringComparison.Ordinal);
        foreach (var value in irene.Values.Concat(other.Values))
        {
            Assert.DoesNotContain(value, before, StringComparison.OrdinalIgnoreCase);
        }

        var request = await FileErasureAsync(api, irene.Session);
        var done = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/gdpr/data-requests/{request}/process", new { }, admin.Token);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(0, done.GetProperty("legal_holds").GetArrayLength()); // no movement: nothing the law makes Finsoft keep
        await api.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/v1/gdpr/data-requests/{request}/process", new { }, admin.Token);

        // The key is gone, from the row and from every byte the database keeps.
        Assert.Null(await DataKeyAsync(app, irene.Session.UserId));
        var after = await RawAsync(app);
        Assert.DoesNotContain(key, after, StringComparison.Ordinal);
        foreach (var value in irene.Values)
        {
            Assert.DoesNotContain(value, after, StringComparison.OrdinalIgnoreCase);
        }

        // Signed out everywhere, unable to sign in, shown as erased, and not found by what identified them.
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", irene.Session.Token), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/login", new { email = irene.Session.Email, password = irene.Session.Password }),
            HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/refresh", new { refresh_token = irene.Session.RefreshToken }), HttpStatusCode.Unauthorized);
        var shown = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/users/{irene.Session.UserId}", token: admin.Token);
        Assert.Equal(("[erased]", "[erased]", false), (shown.GetProperty("full_name").GetString(), shown.GetProperty("email").GetString(),
            shown.GetProperty("is_active").GetBoolean()));
        var profile = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/users/{irene.Session.UserId}/profile", token: admin.Token);
        Assert.All(new[] { "cuit", "phone", "company", "birth_date" }, field => Assert.Equal("[erased]", profile.GetProperty(field).GetString()));
        Assert.Equal(0, (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/users?search={irene.Session.Email}", token: admin.Token))
            .GetArrayLength());
        Assert.Equal(0, (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/users?search=quintanilla", token: admin.Token)).GetArrayLength());
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Patch, $"/api/v1/admin/users/{irene.Session.UserId}", new { is_active = true }, admin.Token),
            HttpStatusCode.Conflict);
        var screening = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/aml/screenings?entity_id={irene.Session.UserId}", token: admin.Token))
            .EnumerateArray().First();
        Assert.Equal("[erased]", screening.GetProperty("name").GetString());

        // The other customer is untouched, and readable as ever; the ledger still proves itself.
        var theirs = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/users/me/profile", token: other.Session.Token);
        Assert.Equal("27-28765431-1", theirs.GetProperty("cuit").GetString());
        Assert.Single((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/users?search=Villalobos", token: admin.Token)).EnumerateArray());
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());

        // A restart finds nothing to seal or hash again in what the erasure left (the destination's cleared hash included).
        await using var restarted = await app.RestartAsync();
        api = restarted.Api();
        admin = await api.AdminAsync();
        Assert.Equal("[erased]", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/users/{irene.Session.UserId}", token: admin.Token))
            .GetProperty("email").GetString());
        Assert.Null(await DataKeyAsync(restarted, irene.Session.UserId));
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/login", new { email = irene.Session.Email, password = irene.Session.Password }),
            HttpStatusCode.Unauthorized);
        // The email is free again: whoever owns it may open a new account, which knows nothing of the erased one.
        var again = await api.RegisterAsync(irene.Session.Email, fullName: "Irene Again");
        Assert.NotEqual(irene.Session.UserId, again.UserId);
    }

    [DbFact]
    public async Task A_customer_who_moved_money_is_erased_under_an_aml_hold_and_the_job_shreds_the_key_when_it_ends()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Gdpr:PollMilliseconds"] = "3600000" },
            services: s => s.AddSingleton<TimeProvider>(clock));
        var api = app.Api();
        var admin = await api.AdminAsync();
        var carla = await PersonAsync(api, "Montesinos", "20123456786", "+5215598765432", "180");
        var bob = await api.RegisterAsync();
        var bobWallet = await api.CreateAccountAsync(bob.Token);
        await api.DepositAsync(admin.Token, carla.Wallet, "50.00");
        var request = await FileErasureAsync(api, carla.Session);

        // Money in a wallet stands in the way: refused, and nothing changes.
        var refused = await api.PostAsync($"/api/v1/gdpr/data-requests/{request}/process", new { }, admin.Token);
        await ApiClient.AssertProblemAsync(refused, HttpStatusCode.Conflict);
        Assert.Contains("money", (await ApiClient.BodyAsync(refused)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("received", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{request}", token: admin.Token))
            .GetProperty("status").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: carla.Session.Token);
        Assert.Null(await app.WithDbAsync(db => db.Accounts.Where(a => a.Id == carla.Wallet).Select(a => a.ClosedAt).SingleAsync()));
        Assert.Equal(1, (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/destination-accounts", token: carla.Session.Token)).GetArrayLength());
        Assert.Single((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/users?search=Montesinos", token: admin.Token)).EnumerateArray());

        using (var transfer = await api.TransferAsync(carla.Session.Token, carla.Wallet, bobWallet, "50.00"))
        {
            Assert.True(transfer.IsSuccessStatusCode, await transfer.Content.ReadAsStringAsync());
        }
        var done = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/gdpr/data-requests/{request}/process", new { }, admin.Token);
        var hold = Assert.Single(done.GetProperty("legal_holds").EnumerateArray());
        Assert.Equal(Erasure.AmlRecordKeeping, hold.GetProperty("name").GetString());
        var until = hold.GetProperty("until").GetDateTime();
        Assert.InRange(until, clock.GetUtcNow().UtcDateTime.AddYears(5).AddMinutes(-1), clock.GetUtcNow().UtcDateTime.AddYears(5).AddMinutes(1));

        // Under the hold: erased for everyone, its account closed, but compliance still reads what it screened.
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", carla.Session.Token), HttpStatusCode.Unauthorized);
        Assert.Equal("[erased]", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/users/{carla.Session.UserId}", token: admin.Token))
            .GetProperty("full_name").GetString());
        Assert.NotNull(await app.WithDbAsync(db => db.Accounts.Where(a => a.Id == carla.Wallet).Select(a => a.ClosedAt).SingleAsync()));
        string ScreenedName(JsonElement list) => list.EnumerateArray().First().GetProperty("name").GetString()!;
        var screenings = $"/api/v1/aml/screenings?entity_id={carla.Session.UserId}";
        Assert.Equal("Irene Montesinos", ScreenedName(await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, screenings, token: admin.Token)));
        var key = await DataKeyAsync(app, carla.Session.UserId);
        Assert.NotNull(key);
        var processor = app.Services.GetRequiredService<DataRequestProcessor>();
        Assert.Equal(0, await processor.ShredDueAsync(CancellationToken.None));

        // The hold ends: the job destroys the key, and what compliance kept is unreadable too.
        clock.Advance(TimeSpan.FromDays(5 * 366));
        admin = await api.AdminAsync();
        Assert.Equal(1, await processor.ShredDueAsync(CancellationToken.None));
        Assert.Equal(0, await processor.ShredDueAsync(CancellationToken.None));
        Assert.Null(await DataKeyAsync(app, carla.Session.UserId));
        Assert.Equal("[erased]", ScreenedName(await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, screenings, token: admin.Token)));
        var raw = await RawAsync(app);
        Assert.DoesNotContain(key, raw, StringComparison.Ordinal);
        foreach (var value in carla.Values)
        {
            Assert.DoesNotContain(value, raw, StringComparison.OrdinalIgnoreCase);
        }
        Assert.True(await app.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.SubjectId == carla.Session.UserId && e.Event == "gdpr.personal_data_shredded")));

        // The journal and balances stand as they were.
        bob = await api.LoginAsync(bob.Email, bob.Password);
        Assert.Equal("50.00", await api.BalanceAsync(bob.Token, bobWallet));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_payout_in_flight_or_a_watch_list_match_stands_in_the_way_and_nothing_changes()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Bank:SettlementDelayMilliseconds"] = "600000" });
        var api = app.Api();
        var admin = await api.AdminAsync();
        // Dana holds no account of her own: she is a joint holder of Eve's, and pays from it to her own bank account.
        var (dana, eve) = (await api.RegisterAsync(), await api.RegisterAsync());
        var wallet = await api.CreateAccountAsync(eve.Token);
        await api.DepositAsync(admin.Token, wallet, "100.00");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/admin/users/{dana.UserId}/accounts", new { account_id = wallet }, admin.Token);
        var destination = await api.VerifiedDestinationAsync(dana.Token);
        var payout = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
            new { origin_account_id = wallet, external_destination_account_id = destination, amount = "100.00" }, dana.Token)).GetProperty("id").GetGuid();
        Assert.Equal("PROCESSING", (await api.WaitForStatusAsync(dana.Token, payout, "PROCESSING")).Status);
        var request = await FileErasureAsync(api, dana);

        async Task RefusedAsync(string why)
        {
            using var refused = await api.PostAsync($"/api/v1/gdpr/data-requests/{request}/process", new { }, admin.Token);
            await ApiClient.AssertProblemAsync(refused, HttpStatusCode.Conflict);
            var problem = await ApiClient.BodyAsync(refused);
            Assert.Equal("erasure_blocked", problem.GetProperty("error_code").GetString());
            Assert.Contains(why, problem.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Null(await app.WithDbAsync(db => db.Users.Where(u => u.Id == dana.UserId).Select(u => u.ErasedAt).SingleAsync()));
            await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: dana.Token);
        }
        await RefusedAsync("in flight");
        await app.WithDbAsync(db => db.Transactions.Where(t => t.Id == payout).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, "COMPLETED")));
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == dana.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.ComplianceHold, true)));
        await RefusedAsync("watch-list");
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == dana.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.ComplianceHold, false)));
        var done = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/gdpr/data-requests/{request}/process", new { }, admin.Token);
        Assert.Equal(Erasure.AmlRecordKeeping, Assert.Single(done.GetProperty("legal_holds").EnumerateArray()).GetProperty("name").GetString());
    }
}

public sealed class GdprErasureTestsOnSqlite() : GdprErasureTests(DatabaseKind.Sqlite);

public sealed class GdprErasureTestsOnPostgres() : GdprErasureTests(DatabaseKind.Postgres), IPostgresTests;
