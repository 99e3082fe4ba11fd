using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>Income/expense records and the dashboards over them, by role, on both databases.</summary>
public abstract class RecordsTests(DatabaseKind kind)
{
    private static object Record(string amount, string type, string category, string date, string? notes = null, string currency = "MXN") =>
        new { amount, currency, type, category, date, notes };

    private static async Task<Guid> CreateAsync(ApiClient api, string token, object record) =>
        (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/records", record, token)).GetProperty("id").GetGuid();

    private static List<string> Ids(JsonElement list) => list.EnumerateArray().Select(r => r.GetProperty("category").GetString()!).ToList();

    [DbFact]
    public async Task Records_are_created_read_updated_soft_deleted_and_restored()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var other = await api.RegisterAsync();
        var id = await CreateAsync(api, user.Token, Record("1500.50", "income", "salary", "2026-10-01", "October pay"));
        var read = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/records/{id}", token: user.Token);
        Assert.Equal("1500.50", read.GetProperty("amount").GetString());
        Assert.Equal("2026-10-01", read.GetProperty("date").GetString());
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/records/{id}", other.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Patch, $"/api/v1/records/{id}", new { category = "mine" }, other.Token),
            HttpStatusCode.NotFound);

        // A new currency alone would re-read the same minor units as another money (1,500.50 MXN as 150,050 JPY): refused.
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Patch, $"/api/v1/records/{id}", new { currency = "JPY" }, user.Token),
            HttpStatusCode.UnprocessableEntity);
        var unchanged = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/records/{id}", token: user.Token);
        Assert.Equal(("1500.50", "MXN"), (unchanged.GetProperty("amount").GetString(), unchanged.GetProperty("currency").GetString()));
        var inYen = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/v1/records/{id}", new { amount = "1500", currency = "JPY" }, user.Token);
        Assert.Equal(("1500", "JPY"), (inYen.GetProperty("amount").GetString(), inYen.GetProperty("currency").GetString()));
        var updated = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/v1/records/{id}", new { amount = "1600", currency = "MXN", category = "payroll" }, user.Token);
        Assert.Equal("1600.00", updated.GetProperty("amount").GetString());
        Assert.Equal("payroll", updated.GetProperty("category").GetString());
        foreach (var bad in new object[]
        {
            new { amount = "-1" }, new { amount = "1.001" }, new { type = "gift" }, new { category = "" }, new { currency = "XYZ" },
        })
        {
            await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Patch, $"/api/v1/records/{id}", bad, user.Token), HttpStatusCode.UnprocessableEntity);
        }
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/records", new { amount = "1", currency = "MXN", type = "income", category = "x" }, user.Token),
            HttpStatusCode.UnprocessableEntity); // no date
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/records",
            new { amount = "1", currency = "MXN", type = "income", category = "x", date = "2026-01-01", user_id = other.UserId }, user.Token), HttpStatusCode.BadRequest);

        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/records/{id}", token: user.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/records/{id}", user.Token), HttpStatusCode.NotFound);
        Assert.Empty((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/records", token: user.Token)).EnumerateArray());
        var summary = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/summary", token: user.Token);
        Assert.Equal("0.00", summary.GetProperty("total_income").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/records/{id}/restore", new { }, user.Token);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/records/{id}/restore", new { }, user.Token), HttpStatusCode.NotFound);
        summary = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/summary", token: user.Token);
        Assert.Equal("1600.00", summary.GetProperty("total_income").GetString());
    }

    [DbFact]
    public async Task Lists_filter_search_sort_and_page_without_losing_ties()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        await CreateAsync(api, user.Token, Record("10.00", "expense", "food", "2026-09-03", "tacos al pastor"));
        await CreateAsync(api, user.Token, Record("10.00", "expense", "transport", "2026-09-04", "metro card"));
        await CreateAsync(api, user.Token, Record("10.00", "expense", "food", "2026-09-05", "groceries"));
        await CreateAsync(api, user.Token, Record("250.00", "income", "freelance", "2026-10-01"));
        var deleted = await CreateAsync(api, user.Token, Record("99.00", "expense", "food", "2026-09-06", "deleted one"));
        await CreateAsync(api, user.Token, Record("5.00", "expense", "food", "2026-09-07", currency: "USD"));
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/records/{deleted}", token: user.Token);

        async Task<List<string>> Query(string query) =>
            Ids(await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/records?" + query, token: user.Token));
        Assert.Equal(["food", "food"], await Query("category=food&currency=MXN"));
        Assert.Equal(["freelance"], await Query("type=income"));
        Assert.Equal(["food", "transport"], await Query("from=2026-09-03&to=2026-09-04&sort=date"));
        Assert.Equal(["freelance"], await Query("currency=MXN&min_amount=100"));
        Assert.Equal(["food", "transport", "food"], await Query("currency=MXN&max_amount=10&sort=date"));
        Assert.Equal(["food", "food"], await Query("q=FOO&currency=MXN"));
        Assert.Equal(["transport"], await Query("q=port"));
        Assert.Empty(await Query("q=pastor")); // notes are sealed under their writer's key (ADR 0013): q searches categories
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/records?min_amount=5", user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/records?sort=notes", user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/records?cursor=bm9wZQ", user.Token), HttpStatusCode.UnprocessableEntity);

        // Three records share the amount 10.00: paging one at a time by amount returns each exactly once.
        var seen = new List<Guid>();
        var next = "/api/v1/records?currency=MXN&sort=-amount&limit=1";
        while (next is not null)
        {
            using var page = await api.GetAsync(next, user.Token);
            seen.AddRange((await ApiClient.BodyAsync(page)).EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
            next = page.Headers.TryGetValues("Link", out var link) ? link.Single().Split('<', '>')[1] : null;
        }
        Assert.Equal(4, seen.Count);
        Assert.Equal(4, seen.Distinct().Count());
    }

    [DbFact]
    public async Task Dashboards_total_by_currency_category_and_month_with_empty_months_as_zeros()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var thisMonth = new DateOnly(today.Year, today.Month, 1);
        await CreateAsync(api, user.Token, Record("1000.00", "income", "salary", thisMonth.ToString("yyyy-MM-dd")));
        await CreateAsync(api, user.Token, Record("200.25", "expense", "rent", thisMonth.ToString("yyyy-MM-dd")));
        await CreateAsync(api, user.Token, Record("50.00", "expense", "food", thisMonth.AddMonths(-2).ToString("yyyy-MM-dd")));
        await CreateAsync(api, user.Token, Record("7.00", "expense", "food", thisMonth.AddMonths(-2).AddDays(3).ToString("yyyy-MM-dd")));
        await CreateAsync(api, user.Token, Record("99.00", "expense", "old", thisMonth.AddMonths(-7).ToString("yyyy-MM-dd")));
        await CreateAsync(api, user.Token, Record("30.00", "income", "gift", thisMonth.ToString("yyyy-MM-dd"), currency: "USD"));

        var summary = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/summary?currency=MXN", token: user.Token);
        Assert.Equal(("MXN", "1000.00", "356.25", "643.75"), (summary.GetProperty("currency").GetString(), summary.GetProperty("total_income").GetString(),
            summary.GetProperty("total_expenses").GetString(), summary.GetProperty("net_balance").GetString()));
        var usd = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/summary?currency=USD", token: user.Token);
        Assert.Equal("30.00", usd.GetProperty("net_balance").GetString());

        var categories = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/categories", token: user.Token);
        var byName = categories.EnumerateArray().ToDictionary(c => c.GetProperty("category").GetString()!, c => c.GetProperty("total").GetString());
        Assert.Equal("57.00", byName["food"]);
        Assert.Equal("1000.00", byName["salary"]);

        var trends = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/trends?months=6", token: user.Token)).EnumerateArray().ToList();
        Assert.Equal(6, trends.Count);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => thisMonth.AddMonths(i - 5).ToString("yyyy-MM")), trends.Select(t => t.GetProperty("month").GetString()));
        Assert.Equal("799.75", trends[5].GetProperty("net").GetString());
        Assert.Equal("57.00", trends[3].GetProperty("expenses").GetString());
        foreach (var empty in new[] { 0, 1, 2, 4 })
        {
            Assert.Equal(("0.00", "0.00", "0.00"), (trends[empty].GetProperty("income").GetString(), trends[empty].GetProperty("expenses").GetString(),
                trends[empty].GetProperty("net").GetString()));
        }
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/dashboard/trends?months=0", user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/dashboard/trends?months=61", user.Token), HttpStatusCode.UnprocessableEntity);

        var recent = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/recent?limit=2", token: user.Token);
        Assert.Equal(2, recent.GetProperty("records").GetArrayLength());
    }

    [DbFact]
    public async Task Roles_shape_what_records_and_dashboards_show()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();
        var viewer = await api.CreateUserAsync(admin.Token, "viewer");
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        await CreateAsync(api, alice.Token, Record("100.00", "income", "alice-pay", "2026-11-01"));
        await CreateAsync(api, bob.Token, Record("40.00", "expense", "bob-food", "2026-11-02"));
        var analystsOwn = await CreateAsync(api, analyst.Token, Record("1.00", "expense", "analyst-note", "2026-11-03"));

        // Customers see only their own.
        Assert.Equal(["alice-pay"], Ids(await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/records", token: alice.Token)));
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/records?user_id={bob.UserId}", alice.Token), HttpStatusCode.UnprocessableEntity);
        // Analysts read everyone's and filter by user, but change only their own.
        Assert.Equal(3, (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/records", token: analyst.Token)).GetArrayLength());
        Assert.Equal(["bob-food"], Ids(await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/records?user_id={bob.UserId}", token: analyst.Token)));
        var bobs = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/records?user_id={bob.UserId}", token: analyst.Token))[0].GetProperty("id").GetGuid();
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Delete, $"/api/v1/records/{bobs}", token: analyst.Token), HttpStatusCode.NotFound);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/records/{analystsOwn}", token: analyst.Token);
        // Viewers read their own, create nothing, and get the basic summary only.
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/records", Record("1.00", "income", "x", "2026-11-01"), viewer.Token), HttpStatusCode.Forbidden);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/summary", token: viewer.Token);
        foreach (var insight in new[] { "categories", "trends", "recent" })
        {
            await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/dashboard/{insight}", viewer.Token), HttpStatusCode.Forbidden);
        }
        // Admins see across users, or one user's.
        var all = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/summary", token: admin.Token);
        Assert.Equal(("100.00", "40.00"), (all.GetProperty("total_income").GetString(), all.GetProperty("total_expenses").GetString()));
        var bobsSummary = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/dashboard/summary?user_id={bob.UserId}", token: admin.Token);
        Assert.Equal("-40.00", bobsSummary.GetProperty("net_balance").GetString());
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/dashboard/summary?user_id={bob.UserId}", analyst.Token), HttpStatusCode.UnprocessableEntity);
        var aliceOnly = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/summary", token: alice.Token);
        Assert.Equal("100.00", aliceOnly.GetProperty("net_balance").GetString());
    }

    [DbFact]
    public async Task A_categorised_transfer_is_an_expense_for_the_sender_and_income_for_the_receiver()
    {
        var world = await TwoCustomers.StartAsync(kind, "500.00");
        await using var app = world.App;
        var api = world.Api;
        var transfer = (await ApiClient.BodyAsync(await api.TransferAsync(world.Alice.Token, world.AliceAccount, world.BobAccount, "120.00")))
            .GetProperty("id").GetGuid();
        var expense = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{transfer}/category", new { category = "rent" }, world.Alice.Token);
        Assert.Equal(("expense", "120.00", transfer), (expense.GetProperty("type").GetString(), expense.GetProperty("amount").GetString(),
            expense.GetProperty("transaction_id").GetGuid()));
        var income = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{transfer}/category", new { category = "rent-in" }, world.Bob.Token);
        Assert.Equal("income", income.GetProperty("type").GetString());
        // Re-filing changes the category, not the count; the ledger's amount cannot be edited on the record.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{transfer}/category", new { category = "housing" }, world.Alice.Token);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Patch, $"/api/v1/records/{expense.GetProperty("id").GetGuid()}",
            new { amount = "1.00" }, world.Alice.Token), HttpStatusCode.UnprocessableEntity);
        var summary = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/dashboard/summary", token: world.Alice.Token);
        Assert.Equal("-120.00", summary.GetProperty("net_balance").GetString());
        Assert.Equal(["housing"], Ids(await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/records", token: world.Alice.Token)));
        // Someone else's transaction is not found; a movement between one's own accounts is neither.
        var stranger = await api.RegisterAsync();
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/transactions/{transfer}/category", new { category = "x" }, stranger.Token),
            HttpStatusCode.NotFound);
        var second = await api.CreateAccountAsync(world.Alice.Token);
        var own = (await ApiClient.BodyAsync(await api.TransferAsync(world.Alice.Token, world.AliceAccount, second, "1.00"))).GetProperty("id").GetGuid();
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/transactions/{own}/category", new { category = "x" }, world.Alice.Token),
            HttpStatusCode.Conflict);
    }
}

public sealed class RecordsTestsOnSqlite() : RecordsTests(DatabaseKind.Sqlite);

public sealed class RecordsTestsOnPostgres() : RecordsTests(DatabaseKind.Postgres), IPostgresTests;
