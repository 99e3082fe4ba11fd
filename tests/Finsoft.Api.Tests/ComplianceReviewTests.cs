using System.Net;
using System.Text.Json;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>
/// Automatic screening and the review queue: a matched user moves no money until an analyst decides, a withdrawal to
/// a matching destination waits for approval, confirmations take two analysts, dismissals are remembered, and new
/// list versions and schedules rescreen. Every listed name is invented (see <see cref="ScreeningTests"/>).
/// </summary>
public abstract class ComplianceReviewTests(DatabaseKind kind)
{
    [DbFact]
    public async Task A_matched_user_moves_no_money_until_the_match_is_dismissed_and_the_dismissal_is_remembered()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        await ScreeningTests.LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", ScreeningTests.SdnCsv);
        var karimov = await RegisterAsync(api, "Rustam Karimov");
        var clean = await RegisterAsync(api, "Maria Fernanda Lopez");
        var held = await api.CreateAccountAsync(karimov.Token);
        var other = await api.CreateAccountAsync(clean.Token);
        await api.DepositAsync(admin.Token, held, "100.00"); // money may arrive; it may not leave

        // Registration screened them: one open match for Karimov, none for the other.
        var review = await SingleOpenMatchAsync(api, analyst.Token, karimov.UserId);
        Assert.Equal(("ofac", "9001"), (review.GetProperty("source").GetString(), review.GetProperty("entry_id").GetString()));
        Assert.Empty((await ReviewsOfAsync(api, analyst.Token, clean.UserId)));

        var refused = await api.TransferAsync(karimov.Token, held, other, "10.00");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("compliance_review", (await ApiClient.BodyAsync(refused)).GetProperty("error_code").GetString());
        var destination = await api.VerifiedDestinationAsync(karimov.Token);
        var withdrawal = await api.PostAsync("/api/v1/transactions/withdrawal",
            new { origin_account_id = held, external_destination_account_id = destination, amount = "5.00" }, karimov.Token);
        await ApiClient.AssertProblemAsync(withdrawal, HttpStatusCode.Conflict);
        Assert.Equal("100.00", await api.BalanceAsync(karimov.Token, held));

        // A customer's bad input and the analyst's are clear 4xx.
        var reviewId = review.GetProperty("id").GetGuid();
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{reviewId}/decision", new { decision = "approve", note = "x" }, analyst.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{reviewId}/decision", new { decision = "dismiss" }, analyst.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{Guid.NewGuid()}/decision", new { decision = "dismiss", note = "x" },
            analyst.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{reviewId}/decision", new { decision = "dismiss", note = "x" }, karimov.Token),
            HttpStatusCode.Forbidden);

        var dismissed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{reviewId}/decision",
            new { decision = "dismiss", note = "Different person: the listed Karimov was born in 1971 in Tashkent" }, analyst.Token);
        Assert.Equal("dismissed", dismissed.GetProperty("status").GetString());
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{reviewId}/decision", new { decision = "confirm", note = "x" }, analyst.Token),
            HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(karimov.Token, held, other, "10.00")).StatusCode);

        // Screened again (by an analyst, and on a profile change): the dismissed match does not come back.
        var again = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/aml/screenings",
            new { entity_type = "user", entity_id = karimov.UserId }, analyst.Token);
        Assert.Equal("clear", again.GetProperty("status").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/users/me/profile", new { birth_date = "1990-05-01", country = "mx" }, karimov.Token);
        Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(karimov.Token, held, other, "1.00")).StatusCode);
        var first = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/aml/screenings?entity_id={karimov.UserId}", token: analyst.Token))
            .EnumerateArray().Last();
        Assert.Equal("dismissed", first.GetProperty("status").GetString()); // the registration's screening, as decided

        // The decision is in the audit trail with its note.
        var audit = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=review.decided", token: admin.Token);
        Assert.Contains("born in 1971", audit.EnumerateArray().Single().GetProperty("details").ToString());
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_confirmed_match_needs_a_second_analyst_and_keeps_the_user_held()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var first = await api.CreateUserAsync(admin.Token, "analyst");
        var second = await api.CreateUserAsync(admin.Token, "analyst");
        await ScreeningTests.LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", ScreeningTests.SdnCsv);
        var najjar = await RegisterAsync(api, "Yusuf Al Najjar");
        var review = (await SingleOpenMatchAsync(api, first.Token, najjar.UserId)).GetProperty("id").GetGuid();

        var once = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{review}/decision",
            new { decision = "confirm", note = "Same name and nationality" }, first.Token);
        Assert.Equal("awaiting_second", once.GetProperty("status").GetString());
        var twice = await api.PostAsync($"/api/v1/reviews/{review}/decision", new { decision = "confirm", note = "Still sure" }, first.Token);
        await ApiClient.AssertProblemAsync(twice, HttpStatusCode.Conflict);
        var confirmed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{review}/decision",
            new { decision = "confirm", note = "Agreed" }, second.Token);
        Assert.Equal(("confirmed", first.UserId, second.UserId), (confirmed.GetProperty("status").GetString(),
            confirmed.GetProperty("first_decided_by").GetGuid(), confirmed.GetProperty("decided_by").GetGuid()));

        var screening = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/aml/screenings?entity_id={najjar.UserId}", token: first.Token))
            .EnumerateArray().Single();
        Assert.Equal("confirmed_match", screening.GetProperty("status").GetString());
        var account = await api.CreateAccountAsync(najjar.Token);
        var mine = await api.CreateAccountAsync(najjar.Token);
        await api.DepositAsync(admin.Token, account, "10.00");
        await ApiClient.AssertProblemAsync(await api.TransferAsync(najjar.Token, account, mine, "1.00"), HttpStatusCode.Conflict);
        // Rescreening links to the confirmed review rather than opening another.
        var again = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/aml/screenings",
            new { entity_type = "user", entity_id = najjar.UserId }, second.Token);
        Assert.Equal("confirmed_match", again.GetProperty("status").GetString());
        Assert.Equal(review, again.GetProperty("matches")[0].GetProperty("review_id").GetGuid());
        var audit = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=review.decided", token: admin.Token);
        Assert.Equal(2, audit.GetArrayLength());
    }

    [DbFact]
    public async Task A_withdrawal_to_a_matching_destination_waits_for_an_analyst_who_approves_or_rejects_it()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        await ScreeningTests.LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", ScreeningTests.SdnCsv);
        var customer = await api.RegisterAsync();
        var wallet = await api.CreateAccountAsync(customer.Token);
        await api.DepositAsync(admin.Token, wallet, "100.00");
        var destination = await api.VerifiedDestinationAsync(customer.Token, holder: "Rustam A. Karimov");

        async Task<(Guid Transaction, Guid Review)> WithdrawAsync(string amount)
        {
            var made = await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
                new { origin_account_id = wallet, external_destination_account_id = destination, amount }, customer.Token);
            Assert.Equal(("PENDING", "open"), (made.GetProperty("status").GetString(), made.GetProperty("review_status").GetString()));
            return (made.GetProperty("id").GetGuid(), made.GetProperty("review_id").GetGuid());
        }

        var (approvedTx, approvedReview) = await WithdrawAsync("30.00");
        var (rejectedTx, rejectedReview) = await WithdrawAsync("20.00");
        // The bank is not asked while the review is open: a pass of the processor, made here rather than waited for, sends nothing.
        await BankPassAsync(app);
        Assert.Equal("PENDING", (await api.WaitForStatusAsync(customer.Token, approvedTx, "PENDING")).Status);
        Assert.Equal(0, await app.WithDbAsync(db => db.SimulatedPayouts.CountAsync()));
        var queued = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reviews?kind=transaction&status=open", token: analyst.Token);
        Assert.Equal([approvedReview, rejectedReview], queued.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).Order().ToArray());
        Assert.Equal(customer.UserId, queued[0].GetProperty("user_id").GetGuid());

        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{approvedReview}/decision", new { decision = "confirm", note = "x" },
            analyst.Token), HttpStatusCode.UnprocessableEntity);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{approvedReview}/decision",
            new { decision = "approve", note = "Holder is our customer's own business partner, not the listed person" }, analyst.Token);
        Assert.Equal("COMPLETED", (await api.WaitForStatusAsync(customer.Token, approvedTx, "COMPLETED", "FAILED")).Status);

        var rejected = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{rejectedReview}/decision",
            new { decision = "reject", note = "Cannot establish the holder" }, analyst.Token);
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        var failed = await api.WaitForStatusAsync(customer.Token, rejectedTx, "FAILED");
        Assert.Contains("compliance review", failed.FailureReason);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{rejectedReview}/decision", new { decision = "approve", note = "x" },
            analyst.Token), HttpStatusCode.Conflict);
        // A rejected withdrawal cannot be sent again by a retry; its funds are back.
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/transactions/{rejectedTx}/retry", new { }, customer.Token), HttpStatusCode.Conflict);
        var account = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{wallet}", token: customer.Token);
        Assert.Equal(("70.00", "0.00"), (account.GetProperty("balance").GetString(), account.GetProperty("held").GetString()));
        Assert.Equal(1, await app.WithDbAsync(db => db.SimulatedPayouts.CountAsync()));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_match_on_a_destination_is_its_owners_and_they_cannot_dismiss_it()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        await ScreeningTests.LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", ScreeningTests.SdnCsv);
        // An admin may move money and decide reviews: a payee of their own that matches a list is still another analyst's call.
        var destination = await api.VerifiedDestinationAsync(admin.Token, holder: "Rustam A. Karimov");
        var reviews = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reviews?kind=screening_match&status=open", token: analyst.Token);
        var review = Assert.Single(reviews.EnumerateArray(), r => r.GetProperty("entity_id").GetGuid() == destination);
        Assert.Equal(admin.UserId, review.GetProperty("user_id").GetGuid());
        var id = review.GetProperty("id").GetGuid();
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{id}/decision", new { decision = "dismiss", note = "Mine, fine" }, admin.Token),
            HttpStatusCode.Forbidden);
        Assert.True(await app.WithDbAsync(db => db.DestinationAccounts.Where(d => d.Id == destination).Select(d => d.ComplianceHold).SingleAsync()));
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{id}/decision", new { decision = "dismiss", note = "Checked the holder" },
            analyst.Token);
        Assert.False(await app.WithDbAsync(db => db.DestinationAccounts.Where(d => d.Id == destination).Select(d => d.ComplianceHold).SingleAsync()));
    }

    [DbFact]
    public async Task Money_already_on_its_way_stops_when_its_owner_comes_under_review_and_no_analyst_decides_their_own()
    {
        // The bank worker makes one pass at start and then only when the test asks.
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Bank:PollMilliseconds"] = "3600000" });
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules",
            new { new_destination = new { amount = new Dictionary<string, string> { ["*"] = "15.00" }, score = 60 } }, admin.Token);
        var karimov = await RegisterAsync(api, "Rustam Karimov"); // clear when registered: no list loaded yet
        var wallet = await api.CreateAccountAsync(karimov.Token);
        var other = await api.CreateAccountAsync((await api.RegisterAsync()).Token);
        await api.DepositAsync(admin.Token, wallet, "100.00");
        var destination = await api.VerifiedDestinationAsync(karimov.Token, holder: "Rustam Karimov");
        var withdrawal = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
            new { origin_account_id = wallet, external_destination_account_id = destination, amount = "10.00" }, karimov.Token)).GetProperty("id").GetGuid();
        var held = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = wallet, destination_account_id = other, amount = "20.00" }, karimov.Token);
        var heldReview = held.GetProperty("review_id").GetGuid();

        // The list arrives; an analyst screens him: a potential match, so his money stops where it is.
        await ScreeningTests.LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", ScreeningTests.SdnCsv);
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/aml/screenings", new { entity_type = "user", entity_id = karimov.UserId },
            analyst.Token);
        await BankPassAsync(app);
        Assert.Equal(0, await app.WithDbAsync(db => db.SimulatedPayouts.CountAsync()));
        var approving = await api.PostAsync($"/api/v1/reviews/{heldReview}/decision", new { decision = "approve", note = "Regular rent" }, analyst.Token);
        Assert.Equal("compliance_review", (await ApiClient.BodyAsync(approving)).GetProperty("error_code").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{heldReview}/decision", new { decision = "reject", note = "Owner under review" },
            analyst.Token);

        // Nobody decides a review about themselves: a matched analyst cannot dismiss their own match.
        var match = await SingleOpenMatchAsync(api, admin.Token, karimov.UserId);
        var namesake = await api.CreateUserAsync(admin.Token, "analyst");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/admin/users/{namesake.UserId}/profile", new { company = "Rustam Karimov" },
            admin.Token);
        var own = await SingleOpenMatchAsync(api, admin.Token, namesake.UserId);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reviews/{own.GetProperty("id").GetGuid()}/decision",
            new { decision = "dismiss", note = "That is not me" }, namesake.Token), HttpStatusCode.Forbidden);

        // Dismissed: the withdrawal goes on to the bank.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{match.GetProperty("id").GetGuid()}/decision",
            new { decision = "dismiss", note = "Born 1990 in Monterrey, not the listed man" }, analyst.Token);
        await BankPassAsync(app);
        Assert.Equal(1, await app.WithDbAsync(db => db.SimulatedPayouts.CountAsync()));
        Assert.Equal("PROCESSING", (await api.WaitForStatusAsync(karimov.Token, withdrawal, "PROCESSING")).Status);
        // 100.00 in; the rejected 20.00 released; the 10.00 withdrawal still held until the bank settles it.
        Assert.Equal("90.00", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{wallet}", token: karimov.Token))
            .GetProperty("available_balance").GetString());
    }

    [DbFact]
    public async Task A_new_list_version_and_a_due_schedule_rescreen_people_already_registered()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        await ScreeningTests.LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", ScreeningTests.SdnCsv);
        var worker = app.Services.GetRequiredService<RescreeningWorker>();
        await worker.RescreenNewVersionsAsync(CancellationToken.None);
        var later = await RegisterAsync(api, "Olga Viktorovna Sorokina");
        Assert.Empty(await ReviewsOfAsync(api, analyst.Token, later.UserId));

        // The next version lists her; nothing else changed, so only she is screened again.
        var screeningsBefore = await app.WithDbAsync(db => db.Screenings.CountAsync());
        await ScreeningTests.LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", ScreeningTests.SdnCsv + """

            9010,"SOROKINA, Olga Viktorovna","individual","RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 02 Jul 1975; nationality Russia."
            """);
        Assert.Equal(1, await worker.RescreenNewVersionsAsync(CancellationToken.None));
        Assert.Equal(screeningsBefore + 1, await app.WithDbAsync(db => db.Screenings.CountAsync()));
        await SingleOpenMatchAsync(api, analyst.Token, later.UserId);
        Assert.Equal(0, await worker.RescreenNewVersionsAsync(CancellationToken.None)); // done once

        // A schedule an analyst sets; when due, the worker rescreens and moves it on.
        var schedule = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/aml/reschedule/user/{later.UserId}", new { interval_days = 30 },
            analyst.Token);
        Assert.InRange(schedule.GetProperty("next_due_at").GetDateTime(), DateTime.UtcNow.AddDays(29), DateTime.UtcNow.AddDays(31));
        await app.WithDbAsync(db => db.ScreeningSchedules.Where(s => s.EntityId == later.UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextDueAt, DateTime.UtcNow.AddMinutes(-1))));
        Assert.Equal(1, await worker.RescreenDueAsync(CancellationToken.None));
        Assert.Equal(0, await worker.RescreenDueAsync(CancellationToken.None));
        var due = await app.WithDbAsync(db => db.ScreeningSchedules.SingleAsync(s => s.EntityId == later.UserId));
        Assert.True(due.NextDueAt > DateTime.UtcNow.AddDays(29));
        Assert.Equal(screeningsBefore + 2, await app.WithDbAsync(db => db.Screenings.CountAsync()));
        await SingleOpenMatchAsync(api, analyst.Token, later.UserId); // the open review is linked, not repeated

        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/aml/reschedule/user/{later.UserId}", new { interval_days = 0 }, analyst.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/aml/reschedule/planet/{later.UserId}", new { interval_days = 5 }, analyst.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/aml/reschedule/user/{Guid.NewGuid()}", new { interval_days = 5 }, analyst.Token),
            HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/aml/reschedule/user/{later.UserId}", new { interval_days = 5 }, later.Token),
            HttpStatusCode.Forbidden);
    }

    [DbFact]
    public async Task Watch_list_files_named_in_configuration_load_at_start_and_not_again_while_unchanged()
    {
        var directory = Scratch.NewDirectory("lists");
        try
        {
            var sdn = Path.Combine(directory, "sdn.csv");
            var alt = Path.Combine(directory, "alt.csv");
            await File.WriteAllTextAsync(sdn, ScreeningTests.SdnCsv);
            await File.WriteAllTextAsync(alt, ScreeningTests.AltCsv);
            var settings = new Dictionary<string, string?>
            {
                ["Finsoft:Aml:WatchlistFiles:0:Source"] = "ofac", ["Finsoft:Aml:WatchlistFiles:0:Format"] = "ofac-sdn-csv",
                ["Finsoft:Aml:WatchlistFiles:0:Path"] = sdn,
                ["Finsoft:Aml:WatchlistFiles:1:Source"] = "ofac", ["Finsoft:Aml:WatchlistFiles:1:Format"] = "ofac-alt-csv",
                ["Finsoft:Aml:WatchlistFiles:1:Path"] = alt,
            };
            await using var app = await TestApp.StartAsync(kind, settings);
            var api = app.Api();
            var admin = await api.AdminAsync();
            var versions = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/aml/watchlists", token: admin.Token);
            Assert.Equal((1, 4), (versions.GetArrayLength(), versions[0].GetProperty("entry_count").GetInt32()));
            var aliased = await RegisterAsync(api, "Rustam Qarimov"); // only alt.csv lists this spelling
            await SingleOpenMatchAsync(api, admin.Token, aliased.UserId);

            await using (var restarted = app.Sibling())
            {
                Assert.Equal(1, (await restarted.Api().ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/aml/watchlists", token: admin.Token))
                    .GetArrayLength());
            }
            await File.AppendAllTextAsync(sdn, "\n9011,\"NOVAK, Irena\",\"individual\",\"BALKANS\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n");
            await using (var changed = app.Sibling())
            {
                var now = await changed.Api().ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/aml/watchlists", token: admin.Token);
                Assert.Equal((2, 5), (now[0].GetProperty("version").GetInt32(), now[0].GetProperty("entry_count").GetInt32()));
            }
        }
        finally
        {
            Scratch.TryDelete(directory);
        }
    }

    /// <summary>One pass of the withdrawal processor, now, as the hosted one makes on its own schedule.</summary>
    private static Task BankPassAsync(TestApp app) =>
        app.Services.GetRequiredService<Finsoft.Api.MoneyPath.Settlement.WithdrawalProcessor>().ProcessAsync(resendAll: false, CancellationToken.None);

    private static async Task<ApiClient.Session> RegisterAsync(ApiClient api, string fullName)
    {
        var email = $"person-{Guid.NewGuid():N}@example.test";
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/users", new { full_name = fullName, email, password = "correct-horse-battery" });
        return await api.LoginAsync(email, "correct-horse-battery");
    }

    private static async Task<List<JsonElement>> ReviewsOfAsync(ApiClient api, string token, Guid user) =>
        (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reviews?kind=screening_match&limit=200", token: token)).EnumerateArray()
            .Where(r => r.GetProperty("entity_id").ValueKind != JsonValueKind.Null && r.GetProperty("entity_id").GetGuid() == user).ToList();

    private static async Task<JsonElement> SingleOpenMatchAsync(ApiClient api, string token, Guid user)
    {
        var review = (await ReviewsOfAsync(api, token, user)).Single();
        Assert.Equal(("open", "user"), (review.GetProperty("status").GetString(), review.GetProperty("entity_type").GetString()));
        return review;
    }
}

public sealed class ComplianceReviewTestsOnSqlite() : ComplianceReviewTests(DatabaseKind.Sqlite);

public sealed class ComplianceReviewTestsOnPostgres() : ComplianceReviewTests(DatabaseKind.Postgres), IPostgresTests;
