using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>The event outbox over HTTP: what each money movement announces, who sees it, and how the feed pages.</summary>
public abstract class EventFeedTests(DatabaseKind kind)
{
    private static async Task<List<JsonElement>> FeedAsync(ApiClient api, string token, string query = "")
    {
        var body = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/events?limit=1000{query}", token: token);
        return body.EnumerateArray().ToList();
    }

    private static List<(string Type, Guid Id)> Summary(IEnumerable<JsonElement> events) =>
        events.Select(e => (e.GetProperty("type").GetString()!, e.GetProperty("data").TryGetProperty("id", out var id) ? id.GetGuid() : Guid.Empty)).ToList();

    [DbFact]
    public async Task Every_movement_announces_itself_in_order_with_the_transaction_as_the_api_shows_it()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = w.App;
        var deposit = (await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/deposit",
            new { account_id = w.AliceAccount, amount = "50.00" }, w.Admin.Token)).GetProperty("id").GetGuid();
        var transfer = (await ApiClient.BodyAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "10.00"))).GetProperty("id").GetGuid();
        var captured = await HoldAsync(w, "20.00");
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{captured}/capture", new { amount = "15.00" }, w.Alice.Token);
        var voided = await HoldAsync(w, "5.00");
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{voided}/void", null, w.Alice.Token);
        var reversal = (await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/transactions/{transfer}/reverse", null, w.Bob.Token))
            .GetProperty("id").GetGuid();
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{w.AliceAccount}/limits", new { minimum_balance = "1.00" }, w.Admin.Token);
        // Refusals announce nothing.
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "9999.00"), HttpStatusCode.BadRequest);

        var events = await FeedAsync(w.Api, w.Admin.Token);
        var positions = events.Select(e => e.GetProperty("position").GetInt64()).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        var summary = Summary(events);
        var opening = summary.Take(2).ToList(); // the opening deposit from TwoCustomers
        Assert.Equal(["transaction.created", "transaction.completed"], opening.Select(s => s.Type));
        Assert.Equal(
        [
            ("transaction.created", deposit), ("transaction.completed", deposit),
            ("transaction.created", transfer), ("transaction.completed", transfer),
            ("transaction.created", captured), ("hold.created", captured),
            ("hold.captured", captured), ("transaction.completed", captured),
            ("transaction.created", voided), ("hold.created", voided),
            ("hold.voided", voided), ("transaction.failed", voided),
            ("transaction.created", reversal), ("transaction.completed", reversal), ("transaction.reversed", transfer),
            ("account.limits_changed", Guid.Empty),
        ], summary.Skip(2).ToList());

        // The data is the transaction as GET /transactions/{id} shows it at that moment.
        var shown = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{captured}", token: w.Alice.Token);
        var completed = events.Single(e => e.GetProperty("type").GetString() == "transaction.completed" && e.GetProperty("data").GetProperty("id").GetGuid() == captured);
        Assert.Equal(shown.GetRawText(), completed.GetProperty("data").GetRawText());
        Assert.Equal("15.00", completed.GetProperty("data").GetProperty("amount").GetString());
        var limits = events.Last().GetProperty("data");
        Assert.Equal(w.AliceAccount, limits.GetProperty("account_id").GetGuid());
        Assert.Equal("1.00", limits.GetProperty("minimum_balance").GetString());
        Assert.True(events.All(e => e.GetProperty("occurred_at").GetDateTime().Kind == DateTimeKind.Utc));
    }

    [DbFact]
    public async Task A_customer_sees_only_events_of_accounts_it_holds_and_the_feed_pages_by_position()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = w.App;
        var carol = await w.Api.RegisterAsync();
        var carolAccount = await w.Api.CreateAccountAsync(carol.Token);
        await w.Api.DepositAsync(w.Admin.Token, carolAccount, "7.00");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "1.00")).StatusCode);
        }

        var bobs = await FeedAsync(w.Api, w.Bob.Token);
        Assert.Equal(10, bobs.Count); // five transfers into Bob's wallet, created and completed each
        Assert.DoesNotContain(await FeedAsync(w.Api, w.Bob.Token), e => e.GetRawText().Contains(carolAccount.ToString(), StringComparison.Ordinal));
        Assert.Equal(2, (await FeedAsync(w.Api, carol.Token)).Count);
        var analyst = await w.Api.CreateUserAsync(w.Admin.Token, "analyst");
        Assert.Equal(14, (await FeedAsync(w.Api, analyst.Token)).Count);

        // Pages of three, following the Link header, see every event once, in order.
        var seen = new List<long>();
        var next = "/api/v1/events?limit=3&type=transaction.completed";
        while (next is not null)
        {
            using var page = await w.Api.GetAsync(next, w.Admin.Token);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var items = (await ApiClient.BodyAsync(page)).EnumerateArray().ToList();
            Assert.All(items, e => Assert.Equal("transaction.completed", e.GetProperty("type").GetString()));
            seen.AddRange(items.Select(e => e.GetProperty("position").GetInt64()));
            next = page.Headers.TryGetValues("Link", out var links) ? links.Single().Split('>')[0].TrimStart('<') : null;
        }
        Assert.Equal(7, seen.Count);
        Assert.Equal(seen.Order(), seen);
        var after = seen[3];
        var rest = await FeedAsync(w.Api, w.Admin.Token, $"&type=transaction.completed&after={after}");
        Assert.Equal(seen.Skip(4), rest.Select(e => e.GetProperty("position").GetInt64()));

        foreach (var bad in new[] { "after=-1", "limit=0", "limit=1001", "type=transaction.exploded", "after=abc" })
        {
            using var response = await w.Api.GetAsync($"/api/v1/events?{bad}", w.Admin.Token);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{bad}: {(int)response.StatusCode}");
        }
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync("/api/v1/events", null), HttpStatusCode.Unauthorized);
    }

    private static async Task<Guid> HoldAsync(TwoCustomers w, string amount) =>
        (await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = w.AliceAccount, destination_account_id = w.BobAccount, amount, hold = true }, w.Alice.Token)).GetProperty("id").GetGuid();
}

public sealed class EventFeedTestsOnSqlite() : EventFeedTests(DatabaseKind.Sqlite);

public sealed class EventFeedTestsOnPostgres() : EventFeedTests(DatabaseKind.Postgres), IPostgresTests;
