using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>Revenue, customer and transaction analytics, checked against figures the test works out from what it did.</summary>
public abstract class AnalyticsTests(DatabaseKind kind)
{
    private static readonly DateTimeOffset Monday = new(2027, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly Currency Mxn = Currency.Get("MXN");

    /// <summary>Nearest rank: the smallest amount with at least p% of the amounts at or below it.</summary>
    private static long Percentile(IReadOnlyList<long> amounts, int p) => amounts.Order().ElementAt((int)Math.Ceiling(p / 100.0 * amounts.Count) - 1);

    [DbFact]
    public async Task Revenue_customers_and_transactions_add_up_to_what_happened()
    {
        var clock = new TestClock(Monday);
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Finsoft:Payments:FeePercent"] = "2.9", ["Finsoft:Payments:FixedFee:MXN"] = "3.00", ["Finsoft:Payments:PollMilliseconds"] = "50",
            ["Finsoft:Payments:Providers:simcard:DelayMilliseconds"] = "50",
        }, overKestrel: true, services: s => s.AddSingleton<TimeProvider>(clock));
        var api = app.Api();
        var (alice, bob) = (await api.RegisterAsync(), await api.RegisterAsync());
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        var (aliceWallet, bobWallet) = (await api.CreateAccountAsync(alice.Token), await api.CreateAccountAsync(bob.Token));
        var deposits = new List<long>();
        for (var i = 1; i <= 10; i++)
        {
            await api.DepositAsync(admin.Token, i % 2 == 0 ? aliceWallet : bobWallet, Money.Format(i * 1_000, Mxn));
            deposits.Add(i * 1_000);
        }
        var card = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
            new { type = "card", card = new { number = "4242424242424242", exp_month = 12, exp_year = 2099, cvc = "123", holder_name = "Alice Doe" } }, alice.Token))
            .GetProperty("id").GetGuid();
        await PayAsync(api, alice, card, aliceWallet, "100.00"); // fee 2.90 + 3.00

        clock.Advance(TimeSpan.FromDays(2));
        (alice, bob, admin, analyst) = (await api.LoginAsync(alice.Email, alice.Password), await api.LoginAsync(bob.Email, bob.Password),
            await api.AdminAsync(), await api.LoginAsync(analyst.Email, analyst.Password));
        var carol = await api.RegisterAsync();
        await PayAsync(api, alice, card, aliceWallet, "200.00"); // fee 5.80 + 3.00
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = bobWallet, destination_account_id = aliceWallet, amount = "7.00", description = "lunch" }, bob.Token);

        var query = "from=2027-03-01T00:00:00Z&to=2027-03-04T00:00:00Z";
        var daily = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/analytics/revenue?{query}&interval=day", token: analyst.Token);
        var days = daily.GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("start").GetString()!, b => b.GetProperty("payment_fees").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["2027-03-01"] = "5.90", ["2027-03-02"] = "0.00", ["2027-03-03"] = "8.80", ["2027-03-04"] = "0.00" }, days);
        Assert.Equal(("14.70", "14.70", "0.00", "0.00"), (daily.GetProperty("totals").GetProperty("total").GetString(),
            daily.GetProperty("totals").GetProperty("payment_fees").GetString(), daily.GetProperty("totals").GetProperty("interest").GetString(),
            daily.GetProperty("totals").GetProperty("fx").GetString()));
        var weekly = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/analytics/revenue?{query}&interval=week", token: analyst.Token);
        var week = Assert.Single(weekly.GetProperty("buckets").EnumerateArray());
        Assert.Equal(("2027-03-01", "14.70"), (week.GetProperty("start").GetString(), week.GetProperty("total").GetString()));

        var users = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/analytics/users?{query}&interval=day", token: analyst.Token);
        var lines = users.GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("start").GetString()!,
            b => (b.GetProperty("signups").GetInt32(), b.GetProperty("active").GetInt32(), b.GetProperty("moved_money").GetInt32()));
        Assert.Equal((2, 2, 1), lines["2027-03-01"]); // Alice and Bob signed up and in; Alice paid in (the deposits are the admin's)
        Assert.Equal((1, 3, 2), lines["2027-03-03"]); // Carol; all three signed in; Alice paid in and Bob sent money
        var cohort = Assert.Single(users.GetProperty("retention").EnumerateArray());
        Assert.Equal(("2027-03-01", 3), (cohort.GetProperty("month").GetString(), cohort.GetProperty("customers").GetInt32()));
        Assert.Equal(("2027-03-01", 2, "0.6667"), (cohort.GetProperty("months")[0].GetProperty("month").GetString(),
            cohort.GetProperty("months")[0].GetProperty("moved_money").GetInt32(), cohort.GetProperty("months")[0].GetProperty("share").GetString()));

        var transactions = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/analytics/transactions?{query}&currency=MXN", token: analyst.Token);
        var byType = transactions.GetProperty("by_type").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetString()!);
        var deposit = byType["DEPOSIT"];
        Assert.Equal(10, deposit.GetProperty("count").GetInt64());
        Assert.Equal(Money.Format(deposits.Sum(), Mxn), deposit.GetProperty("volume").GetString());
        Assert.Equal(Money.Format(deposits.Sum() / deposits.Count, Mxn), deposit.GetProperty("average").GetString());
        Assert.Equal([Money.Format(Percentile(deposits, 50), Mxn), Money.Format(Percentile(deposits, 90), Mxn), Money.Format(Percentile(deposits, 99), Mxn)],
            new[] { "p50", "p90", "p99" }.Select(p => deposit.GetProperty(p).GetString()));
        Assert.Equal(("2", "300.00", "150.00"), (byType["PAYMENT"].GetProperty("count").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            byType["PAYMENT"].GetProperty("volume").GetString(), byType["PAYMENT"].GetProperty("average").GetString()));
        Assert.Equal(13, transactions.GetProperty("by_status").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "COMPLETED").GetProperty("count").GetInt64());
        Assert.Equal(13, transactions.GetProperty("by_currency").EnumerateArray().Single().GetProperty("count").GetInt64());

        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/revenue?interval=hourly", analyst.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/users?from=2027-03-05T00:00:00Z&to=2027-03-01T00:00:00Z", analyst.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/transactions?currency=XYZ", analyst.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/analytics/revenue", carol.Token), HttpStatusCode.Forbidden);
    }

    private static async Task PayAsync(ApiClient api, ApiClient.Session who, Guid card, Guid wallet, string amount)
    {
        var payment = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/payments/process",
            new { payment_method_id = card, account_id = wallet, amount, currency = "MXN" }, who.Token, Guid.NewGuid().ToString())).GetProperty("id").GetGuid();
        for (var i = 0; i < 300; i++)
        {
            var shown = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/payments/{payment}", token: who.Token);
            if (shown.GetProperty("status").GetString() == "succeeded")
            {
                return;
            }
            await Task.Delay(50);
        }
        var last = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/payments/{payment}", token: who.Token);
        throw new TimeoutException($"Payment {payment} did not succeed: {last}");
    }
}

public sealed class AnalyticsTestsOnSqlite() : AnalyticsTests(DatabaseKind.Sqlite);

public sealed class AnalyticsTestsOnPostgres() : AnalyticsTests(DatabaseKind.Postgres), IPostgresTests;
