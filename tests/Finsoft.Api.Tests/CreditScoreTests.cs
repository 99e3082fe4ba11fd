using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>Credit scores over HTTP: determinism, reasons, history, who sees what, human review, and bad applications.</summary>
public abstract class CreditScoreTests(DatabaseKind kind)
{
    public static object Application(string income = "20000.00", string expenses = "8000.00", int employment = 48, string requested = "30000.00",
        int term = 12, string purpose = "home_improvement", string? currency = null) =>
        new { monthly_income = income, monthly_expenses = expenses, employment_months = employment, requested_amount = requested, term_months = term, purpose, currency };

    public static Task<JsonElement> ScoreAsync(ApiClient api, string token, object? application = null, Guid? userId = null) =>
        api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/scores", new { user_id = userId, application = application ?? Application() }, token);

    private static string Reasons(JsonElement score) =>
        string.Join(" | ", score.GetProperty("reasons").EnumerateArray().Select(r => $"{r.GetProperty("text").GetString()} ({r.GetProperty("points_lost").GetInt32()})"));

    [DbFact]
    public async Task A_score_is_deterministic_explains_itself_and_keeps_what_it_read()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var customer = await api.RegisterAsync();

        var first = await ScoreAsync(api, customer.Token);
        var second = await ScoreAsync(api, customer.Token);

        Assert.Equal(first.GetProperty("score").GetInt32(), second.GetProperty("score").GetInt32());
        Assert.Equal(Reasons(first), Reasons(second));
        Assert.InRange(first.GetProperty("score").GetInt32(), 300, 850);
        Assert.InRange(first.GetProperty("probability_of_default").GetDouble(), 0, 1);
        Assert.Contains(first.GetProperty("grade").GetString(), new[] { "A", "B", "C", "D", "E" });
        Assert.Equal("finsoft-scorecard-1", first.GetProperty("model_version").GetString());
        Assert.Equal(customer.UserId, first.GetProperty("user_id").GetGuid());
        var reasons = first.GetProperty("reasons").EnumerateArray().ToList();
        Assert.InRange(reasons.Count, 1, 4);
        Assert.All(reasons, r => Assert.True(r.GetProperty("points_lost").GetInt32() > 0));
        // A newcomer with no money in Finsoft loses most on its (empty) balance history.
        Assert.Contains(reasons, r => r.GetProperty("feature").GetString() == "balance_to_income");
        var features = first.GetProperty("features");
        Assert.Equal(14, features.EnumerateObject().Count());
        Assert.Equal(0.4, features.GetProperty("debt_to_income").GetDouble());
        Assert.Equal(1.5, features.GetProperty("loan_to_income").GetDouble());
        Assert.Equal(JsonValueKind.Null, features.GetProperty("records_expense_ratio").ValueKind);
        Assert.Equal("20000.00", first.GetProperty("application").GetProperty("monthly_income").GetString());

        var id = first.GetProperty("id").GetGuid();
        var read = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/scores/{id}", token: customer.Token);
        Assert.Equal(Reasons(first), Reasons(read));
        var list = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/scores", token: customer.Token);
        Assert.Equal([second.GetProperty("id").GetGuid(), id], list.EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
    }

    [DbFact]
    public async Task A_richer_history_scores_higher_than_a_poorer_one_with_the_same_application()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(kind, services: s => s.AddSingleton<TimeProvider>(clock));
        var api = app.Api();
        var (rich, poor) = (await api.RegisterAsync(), await api.RegisterAsync());
        var admin = await api.AdminAsync();
        var (richWallet, poorWallet) = (await api.CreateAccountAsync(rich.Token), await api.CreateAccountAsync(poor.Token));
        // Five months of pay coming in and kept; the other customer's wallet stays empty, and a withdrawal of theirs fails.
        for (var month = 0; month < 5; month++)
        {
            admin = await api.AdminAsync();
            await api.DepositAsync(admin.Token, richWallet, "20000.00");
            clock.Advance(TimeSpan.FromDays(30));
        }
        (rich, poor) = (await api.LoginAsync(rich.Email, rich.Password), await api.LoginAsync(poor.Email, poor.Password));
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/records",
            new { amount = "20000.00", currency = "MXN", type = "income", category = "salary", date = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd") },
            rich.Token);

        var richScore = await ScoreAsync(api, rich.Token);
        var poorScore = await ScoreAsync(api, poor.Token);

        Assert.True(richScore.GetProperty("score").GetInt32() > poorScore.GetProperty("score").GetInt32(),
            $"{richScore.GetProperty("score")} ({Reasons(richScore)}) vs {poorScore.GetProperty("score")} ({Reasons(poorScore)})");
        var features = richScore.GetProperty("features");
        Assert.Equal(5, features.GetProperty("inflow_months").GetDouble());
        Assert.True(features.GetProperty("balance_to_income").GetDouble() > 3, features.ToString());
        Assert.Equal(0.0, features.GetProperty("records_expense_ratio").GetDouble());
        Assert.Equal(4, features.GetProperty("account_age_months").GetDouble());
        Assert.Equal(0, poorScore.GetProperty("features").GetProperty("inflow_months").GetDouble());
        _ = poorWallet;
    }

    [DbFact]
    public async Task Another_users_score_is_not_found_and_staff_score_customers_by_id()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var (alice, bob, admin) = (await api.RegisterAsync(), await api.RegisterAsync(), await api.AdminAsync());
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        var viewer = await api.CreateUserAsync(admin.Token, "viewer");
        var id = (await ScoreAsync(api, alice.Token)).GetProperty("id").GetGuid();

        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/credit/scores/{id}", bob.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/credit/scores/{id}/review-request", new { }, bob.Token), HttpStatusCode.NotFound);
        Assert.Empty((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/scores", token: bob.Token)).EnumerateArray());
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/credit/scores", new { user_id = alice.UserId, application = Application() }, bob.Token),
            HttpStatusCode.Forbidden);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/credit/scores", new { application = Application() }, viewer.Token), HttpStatusCode.Forbidden);

        var byAnalyst = await ScoreAsync(api, analyst.Token, userId: alice.UserId);
        Assert.Equal(alice.UserId, byAnalyst.GetProperty("user_id").GetGuid());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/scores/{id}", token: analyst.Token);
        var alices = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/scores?user_id={alice.UserId}", token: admin.Token);
        Assert.Equal(2, alices.GetArrayLength());
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/credit/scores", new { user_id = Guid.NewGuid(), application = Application() }, analyst.Token),
            HttpStatusCode.NotFound);
    }

    [DbFact]
    public async Task A_customer_asks_for_a_human_review_and_an_analyst_overrides_the_grade_audited()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var (customer, admin) = (await api.RegisterAsync(), await api.AdminAsync());
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        var score = await ScoreAsync(api, customer.Token);
        var id = score.GetProperty("id").GetGuid();

        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/credit/scores/{id}/review", new { decision = "override", grade = "A", note = "x" }, customer.Token),
            HttpStatusCode.Forbidden);
        var asked = await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/v1/credit/scores/{id}/review-request",
            new { note = "My salary rose last month." }, customer.Token);
        Assert.Equal("requested", asked.GetProperty("review").GetProperty("status").GetString());
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/credit/scores/{id}/review-request", new { }, customer.Token), HttpStatusCode.Conflict);
        var waiting = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/scores?review_status=requested", token: analyst.Token);
        Assert.Contains(waiting.EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);

        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/credit/scores/{id}/review", new { decision = "override", note = "x" }, analyst.Token),
            HttpStatusCode.UnprocessableEntity); // no grade
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/credit/scores/{id}/review", new { decision = "maybe", note = "x" }, analyst.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/credit/scores/{id}/review", new { decision = "uphold" }, analyst.Token),
            HttpStatusCode.UnprocessableEntity); // no note
        var reviewed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/credit/scores/{id}/review",
            new { decision = "override", grade = "B", note = "Payslips show the new salary." }, analyst.Token);
        Assert.Equal("B", reviewed.GetProperty("grade").GetString());
        Assert.Equal(score.GetProperty("grade").GetString(), reviewed.GetProperty("model_grade").GetString());
        Assert.Equal("overridden", reviewed.GetProperty("review").GetProperty("status").GetString());
        Assert.Equal(analyst.UserId, reviewed.GetProperty("review").GetProperty("reviewed_by").GetGuid());
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/credit/scores/{id}/review", new { decision = "uphold", note = "again" }, analyst.Token),
            HttpStatusCode.Conflict);

        var audit = await app.WithDbAsync(db => Task.FromResult(db.AuditEvents.Where(e => e.SubjectId == customer.UserId).Select(e => e.Event).ToList()));
        Assert.Contains("credit.review_requested", audit);
        Assert.Contains("credit.review_decided", audit);
    }

    [DbFact]
    public async Task Bad_applications_are_refused_with_the_field_and_store_nothing()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var customer = await api.RegisterAsync();
        var bad = new (object Body, string Field)[]
        {
            (new { application = Application(income: "-100.00") }, "application.monthly_income"),
            (new { application = Application(income: "0") }, "application.monthly_income"),
            (new { application = Application(expenses: "-1.00") }, "application.monthly_expenses"),
            (new { application = Application(requested: "12.345") }, "application.requested_amount"),
            (new { application = Application(term: 0) }, "application.term_months"),
            (new { application = Application(term: 481) }, "application.term_months"),
            (new { application = Application(employment: -3) }, "application.employment_months"),
            (new { application = Application(purpose: "yacht") }, "application.purpose"),
            (new { application = Application(currency: "XYZ") }, "application.currency"),
            (new { }, "application"),
        };
        foreach (var (body, field) in bad)
        {
            var response = await api.PostAsync("/api/v1/credit/scores", body, customer.Token);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.True((await ApiClient.BodyAsync(response)).GetProperty("errors").TryGetProperty(field, out _), field);
        }
        Assert.Equal(0, await app.WithDbAsync(db => Task.FromResult(db.CreditScores.Count())));
    }
}

public sealed class CreditScoreTestsOnSqlite() : CreditScoreTests(DatabaseKind.Sqlite);

public sealed class CreditScoreTestsOnPostgres() : CreditScoreTests(DatabaseKind.Postgres), IPostgresTests;
