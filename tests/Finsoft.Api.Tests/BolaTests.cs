using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>
/// Broken object-level authorisation: Mallory, a customer, uses Alice's ids on every endpoint that takes
/// an id (and in every body that names one). Each answers 404, as for an id that does not exist, and
/// nothing of Alice's changes. Admin-only routes are covered by the access matrix (403).
/// </summary>
public abstract class BolaTests(DatabaseKind kind)
{
    [DbFact]
    public async Task Another_customers_ids_are_not_found_on_every_endpoint_and_change_nothing()
    {
        var world = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = world.App;
        var api = world.Api;
        var alice = world.Alice;
        var mallory = world.Bob;

        // Alice's things: a destination (verified), a withdrawal, a transfer to Mallory, a hold.
        var destination = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value, friendly_name = "Rent", holder_name = "Alice" }, alice.Token))
            .GetProperty("id").GetGuid();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/destination-accounts/{destination}/verify", new { }, alice.Token);
        var withdrawal = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
            new { origin_account_id = world.AliceAccount, external_destination_account_id = destination, amount = "1.00" }, alice.Token))
            .GetProperty("id").GetGuid();
        var hold = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = world.AliceAccount, destination_account_id = world.BobAccount, amount = "2.00", hold = true }, alice.Token))
            .GetProperty("id").GetGuid();
        var alicesOwn = await api.CreateAccountAsync(alice.Token);
        var internalTransfer = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = world.AliceAccount, destination_account_id = alicesOwn, amount = "3.00" }, alice.Token))
            .GetProperty("id").GetGuid();
        await api.WaitForStatusAsync(alice.Token, withdrawal, "COMPLETED", "FAILED");
        var record = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/records",
            new { amount = "9.00", currency = "MXN", type = "expense", category = "private", date = "2026-11-01" }, alice.Token)).GetProperty("id").GetGuid();
        var card = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
            new { type = "card", card = new { number = "4242424242424242", exp_month = 12, exp_year = 2099, cvc = "123", holder_name = "Alice" } }, alice.Token))
            .GetProperty("id").GetGuid();
        var payment = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/payments/process",
            new { payment_method_id = card, account_id = world.AliceAccount, amount = "50.00", currency = "MXN" }, alice.Token)).GetProperty("id").GetGuid();
        // A public address (an IP, so no name needs resolving offline), for an event that never happens here: nothing is sent.
        var hook = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/webhooks/endpoints",
            new { url = "https://93.184.216.34/hook", events = new[] { "payment.refund_failed" } }, alice.Token)).GetProperty("id").GetGuid();
        // Alice's credit: a score (graded A by an analyst), two offers from it, a loan from the first.
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/products", new
        {
            name = "Personal", currency = "MXN", min_amount = "100.00", max_amount = "5000.00", min_term_months = 3, max_term_months = 12,
            apr_by_grade = new Dictionary<string, string> { ["A"] = "0.12" }, origination_fee = "0", amortization = "equal_principal", grace_days = 3, late_fee = "0",
        }, world.Admin.Token);
        var score = (await CreditScoreTests.ScoreAsync(api, alice.Token, CreditScoreTests.Application(requested: "1000.00", term: 6))).GetProperty("id").GetGuid();
        var analyst = await api.CreateUserAsync(world.Admin.Token, "analyst");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/credit/scores/{score}/review", new { decision = "override", grade = "A", note = "test" }, analyst.Token);
        var secondScore = (await CreditScoreTests.ScoreAsync(api, alice.Token, CreditScoreTests.Application(requested: "1000.00", term: 6))).GetProperty("id").GetGuid();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/credit/scores/{secondScore}/review", new { decision = "override", grade = "A", note = "test" }, analyst.Token);
        var offer = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/offers", new { score_id = score }, alice.Token))[0].GetProperty("id").GetGuid();
        var openOffer = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/offers", new { score_id = secondScore }, alice.Token))[0].GetProperty("id").GetGuid();
        var loan = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/credit/offers/{offer}/accept", new { }, alice.Token)).GetProperty("id").GetGuid();
        // A consent Alice gave a third-party provider.
        var tpp = await Psd2Tests.RegisterTppAsync(api, world.Admin.Token);
        var consent = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/psd2/consents", new
        {
            access = new { balances = new[] { world.AliceAccount } }, recurring_indicator = true,
            valid_until = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), frequency_per_day = 4,
        }, tpp.Token)).GetProperty("consent_id").GetGuid();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/psd2/consents/{consent}/authorise", token: alice.Token);
        var dataRequest = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests", new { type = "access" }, alice.Token))
            .GetProperty("id").GetGuid();
        var before = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{world.AliceAccount}", token: alice.Token);

        var account = world.AliceAccount;
        var attempts = new (HttpMethod Method, string Route, string Path, object? Body)[]
        {
            (HttpMethod.Get, "GET /api/v1/accounts/{id:guid}", $"/api/v1/accounts/{account}", null),
            (HttpMethod.Delete, "DELETE /api/v1/accounts/{id:guid}", $"/api/v1/accounts/{alicesOwn}", null),
            (HttpMethod.Get, "GET /api/v1/accounts/{id:guid}/balance", $"/api/v1/accounts/{account}/balance", null),
            (HttpMethod.Get, "GET /api/v1/accounts/{id:guid}/limits", $"/api/v1/accounts/{account}/limits", null),
            (HttpMethod.Get, "GET /api/v1/accounts/{id:guid}/statement", $"/api/v1/accounts/{account}/statement", null),
            (HttpMethod.Get, "GET /api/v1/accounts/{id:guid}/transactions", $"/api/v1/accounts/{account}/transactions", null),
            (HttpMethod.Get, "GET /api/v1/destination-accounts/{id:guid}", $"/api/v1/destination-accounts/{destination}", null),
            (HttpMethod.Delete, "DELETE /api/v1/destination-accounts/{id:guid}", $"/api/v1/destination-accounts/{destination}", null),
            (HttpMethod.Put, "PUT /api/v1/destination-accounts/{id:guid}/verify", $"/api/v1/destination-accounts/{destination}/verify", new { }),
            (HttpMethod.Get, "GET /api/v1/transactions/{id:guid}", $"/api/v1/transactions/{internalTransfer}", null),
            (HttpMethod.Post, "POST /api/v1/transactions/{id:guid}/reverse", $"/api/v1/transactions/{internalTransfer}/reverse", new { }),
            (HttpMethod.Post, "POST /api/v1/transactions/{id:guid}/capture", $"/api/v1/transactions/{hold}/capture", new { }),
            (HttpMethod.Post, "POST /api/v1/transactions/{id:guid}/void", $"/api/v1/transactions/{hold}/void", new { }),
            (HttpMethod.Post, "POST /api/v1/transactions/{id:guid}/retry", $"/api/v1/transactions/{withdrawal}/retry", new { }),
            (HttpMethod.Delete, "DELETE /api/v1/payments/methods/{id:guid}", $"/api/v1/payments/methods/{card}", null),
            (HttpMethod.Get, "GET /api/v1/payments/{id:guid}", $"/api/v1/payments/{payment}", null),
            (HttpMethod.Post, "POST /api/v1/payments/{id:guid}/refund", $"/api/v1/payments/{payment}/refund", new { }),
            (HttpMethod.Get, "GET /api/v1/webhooks/endpoints/{id:guid}", $"/api/v1/webhooks/endpoints/{hook}", null),
            (HttpMethod.Post, "POST /api/v1/webhooks/endpoints/{id:guid}/rotate-secret", $"/api/v1/webhooks/endpoints/{hook}/rotate-secret", new { }),
            (HttpMethod.Post, "POST /api/v1/webhooks/endpoints/{id:guid}/enable", $"/api/v1/webhooks/endpoints/{hook}/enable", new { }),
            (HttpMethod.Get, "GET /api/v1/webhooks/endpoints/{id:guid}/deliveries", $"/api/v1/webhooks/endpoints/{hook}/deliveries", null),
            (HttpMethod.Post, "POST /api/v1/webhooks/endpoints/{id:guid}/deliveries/{deliveryId:guid}/retry",
                $"/api/v1/webhooks/endpoints/{hook}/deliveries/{Guid.NewGuid()}/retry", new { }),
            (HttpMethod.Delete, "DELETE /api/v1/webhooks/endpoints/{id:guid}", $"/api/v1/webhooks/endpoints/{hook}", null),
            (HttpMethod.Post, "body: payment method", "/api/v1/payments/process",
                new { payment_method_id = card, account_id = account, amount = "1.00", currency = "MXN" }),
            (HttpMethod.Get, "GET /api/v1/records/{id:guid}", $"/api/v1/records/{record}", null),
            (HttpMethod.Patch, "PATCH /api/v1/records/{id:guid}", $"/api/v1/records/{record}", new { category = "mine" }),
            (HttpMethod.Delete, "DELETE /api/v1/records/{id:guid}", $"/api/v1/records/{record}", null),
            (HttpMethod.Post, "POST /api/v1/records/{id:guid}/restore", $"/api/v1/records/{record}/restore", new { }),
            (HttpMethod.Post, "POST /api/v1/transactions/{id:guid}/category", $"/api/v1/transactions/{internalTransfer}/category", new { category = "x" }),
            (HttpMethod.Post, "body: transfer origin", "/api/v1/transactions/transfer",
                new { origin_account_id = account, destination_account_id = world.BobAccount, amount = "1.00" }),
            (HttpMethod.Post, "body: withdrawal origin", "/api/v1/transactions/withdrawal",
                new { origin_account_id = account, external_destination_account_id = destination, amount = "1.00" }),
            (HttpMethod.Get, "GET /api/v1/credit/scores/{id:guid}", $"/api/v1/credit/scores/{score}", null),
            (HttpMethod.Post, "POST /api/v1/credit/scores/{id:guid}/review-request", $"/api/v1/credit/scores/{score}/review-request", new { }),
            (HttpMethod.Post, "body: offers for a score", "/api/v1/credit/offers", new { score_id = score }),
            (HttpMethod.Get, "GET /api/v1/credit/offers/{id:guid}", $"/api/v1/credit/offers/{openOffer}", null),
            (HttpMethod.Post, "POST /api/v1/credit/offers/{id:guid}/accept", $"/api/v1/credit/offers/{openOffer}/accept", new { }),
            (HttpMethod.Get, "GET /api/v1/credit/loans/{id:guid}", $"/api/v1/credit/loans/{loan}", null),
            (HttpMethod.Get, "GET /api/v1/credit/loans/{id:guid}/schedule", $"/api/v1/credit/loans/{loan}/schedule", null),
            (HttpMethod.Post, "POST /api/v1/credit/loans/{id:guid}/repayments", $"/api/v1/credit/loans/{loan}/repayments", new { amount = "1.00" }),
            (HttpMethod.Get, "GET /api/v1/psd2/consents/{id:guid}", $"/api/v1/psd2/consents/{consent}", null),
            (HttpMethod.Get, "GET /api/v1/psd2/consents/{id:guid}/validate", $"/api/v1/psd2/consents/{consent}/validate", null),
            (HttpMethod.Post, "POST /api/v1/psd2/consents/{id:guid}/authorise", $"/api/v1/psd2/consents/{consent}/authorise", new { }),
            (HttpMethod.Delete, "DELETE /api/v1/psd2/consents/{id:guid}", $"/api/v1/psd2/consents/{consent}", null),
            (HttpMethod.Delete, "DELETE /api/v1/users/me/consents/{id:guid}", $"/api/v1/users/me/consents/{consent}", null),
            (HttpMethod.Get, "GET /api/v1/gdpr/data-requests/{id:guid}", $"/api/v1/gdpr/data-requests/{dataRequest}", null),
            (HttpMethod.Get, "GET /api/v1/gdpr/data-requests/{id:guid}/export", $"/api/v1/gdpr/data-requests/{dataRequest}/export", null),
        };
        foreach (var (method, route, path, body) in attempts)
        {
            await ApiClient.AssertProblemAsync(await api.SendAsync(method, path, body, mallory.Token), HttpStatusCode.NotFound);
        }
        var batch = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/transactions/batch", new
        {
            transfers = new[] { new { origin_account_id = account, destination_account_id = world.BobAccount, amount = "1.00" } },
        }, mallory.Token);
        Assert.Equal(404, batch.GetProperty("results")[0].GetProperty("error").GetProperty("status").GetInt32());
        var filtered = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions?account_id={account}", token: mallory.Token);
        Assert.DoesNotContain(filtered.EnumerateArray(), t => t.GetProperty("id").GetGuid() == internalTransfer);
        var listed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts?user_id={alice.UserId}", token: mallory.Token);
        Assert.DoesNotContain(listed.EnumerateArray(), a => a.GetProperty("id").GetGuid() == account);
        var biggest = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/accounts/biggest", token: mallory.Token);
        Assert.DoesNotContain(biggest.EnumerateArray(), a => a.GetProperty("id").GetGuid() == account);
        var payments = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments", token: mallory.Token);
        Assert.DoesNotContain(payments.EnumerateArray(), p => p.GetProperty("id").GetGuid() == payment);

        // Every customer-reachable route that takes an id is in the list above (the console's pages refuse customers at sign-in: ConsoleTests).
        var idRoutes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/", StringComparison.Ordinal))
            .Where(e => e.RoutePattern.RawText!.Contains("{id", StringComparison.Ordinal) && !e.RoutePattern.RawText.Contains("/admin/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Where(r => !r.StartsWith("PUT /api/v1/accounts/{id:guid}", StringComparison.Ordinal)) // admin-only adjustments and limits
            .Where(r => !r.Contains(" /api/v1/aml/", StringComparison.Ordinal) && !r.Contains(" /api/v1/reviews/", StringComparison.Ordinal)
                && !r.Contains(" /api/v1/risk/", StringComparison.Ordinal) && !r.Contains(" /api/v1/reconciliations/", StringComparison.Ordinal)
                && !r.Contains(" /api/v1/accounting/", StringComparison.Ordinal) && !r.Contains(" /api/v1/analytics/", StringComparison.Ordinal)
                && !r.Contains(" /api/v1/ledger/", StringComparison.Ordinal))
                // compliance, reconciliation, fiscal periods, report jobs and ledger verifications: staff only, 403 to every customer (the access matrix)
            .Where(r => r != "POST /api/v1/credit/scores/{id:guid}/review") // analysts only
            .Where(r => !r.Contains(" /api/v1/credit/products/", StringComparison.Ordinal)) // the product catalogue is everyone's to read; admins write it
            .Where(r => !r.Contains(" /api/v1/psd2/tpps/", StringComparison.Ordinal) && !r.Contains(" /api/v1/psd2/accounts/", StringComparison.Ordinal))
            .Where(r => r is not ("POST /api/v1/gdpr/data-requests/{id:guid}/process" or "POST /api/v1/gdpr/data-requests/{id:guid}/reject")); // admins decide
            // TPP registrations are admins'; account information takes a TPP's token only (403 to every user token: the access matrix)
        Assert.Empty(idRoutes.Except(attempts.Select(a => a.Route)));
        Assert.Empty((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/loans", token: mallory.Token)).EnumerateArray());
        Assert.Empty((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/offers", token: mallory.Token)).EnumerateArray());
        Assert.Empty((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/scores?user_id={alice.UserId}", token: mallory.Token)).EnumerateArray());

        // Nothing of Alice's moved or changed.
        var after = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{world.AliceAccount}", token: alice.Token);
        Assert.Equal(before.GetProperty("balance").GetString(), after.GetProperty("balance").GetString());
        Assert.Equal(before.GetProperty("held").GetString(), after.GetProperty("held").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/destination-accounts/{destination}", token: alice.Token);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{alicesOwn}", token: alice.Token);
        var untouched = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/records/{record}", token: alice.Token);
        Assert.Equal("private", untouched.GetProperty("category").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/webhooks/endpoints/{hook}", token: alice.Token);
        var held = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{hold}", token: alice.Token);
        Assert.Equal("PENDING", held.GetProperty("status").GetString());
        var stillOpen = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/offers/{openOffer}", token: alice.Token);
        Assert.Equal("open", stillOpen.GetProperty("status").GetString());
        var scored = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/scores/{score}", token: alice.Token);
        Assert.Equal("overridden", scored.GetProperty("review").GetProperty("status").GetString());
        var stillValid = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/psd2/consents/{consent}", token: alice.Token);
        Assert.Equal("valid", stillValid.GetProperty("consent_status").GetString());
    }
}

public sealed class BolaTestsOnSqlite() : BolaTests(DatabaseKind.Sqlite);

public sealed class BolaTestsOnPostgres() : BolaTests(DatabaseKind.Postgres), IPostgresTests;
