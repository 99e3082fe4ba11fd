using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>
/// Pay-ins through the two simulated providers, end to end over real HTTP: the app listens on a loopback port
/// and the providers post their signed events to its webhook, as real ones would. The fee is 2.9 % + 3.00 MXN.
/// </summary>
public abstract class PaymentTests(DatabaseKind kind)
{
    private const string CardSecret = "whsec_simcard_test_secret";
    private const string BankSecret = "whsec_simbank_test_secret";
    private const string GoodCard = "4242424242424242";
    private const string DecliningCard = "4000000000000002";

    private sealed record World(TestApp App, ApiClient Api, ApiClient.Session Alice, ApiClient.Session Bob, ApiClient.Session Admin,
        Guid AliceWallet, Guid BobWallet) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private async Task<World> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Finsoft:Payments:FeePercent"] = "2.9", ["Finsoft:Payments:FixedFee:MXN"] = "3.00", ["Finsoft:Payments:PollMilliseconds"] = "50",
            ["Finsoft:Payments:Providers:simcard:WebhookSecret"] = CardSecret, ["Finsoft:Payments:Providers:simbank:WebhookSecret"] = BankSecret,
            ["Finsoft:Payments:Providers:simcard:DelayMilliseconds"] = "100", ["Finsoft:Payments:Providers:simbank:DelayMilliseconds"] = "100",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }
        var w = await TwoCustomers.StartAsync(kind, "0.01", all, overKestrel: true);
        return new World(w.App, w.Api, w.Alice, w.Bob, w.Admin, w.AliceAccount, w.BobAccount);
    }

    private static async Task<Guid> CardAsync(World w, ApiClient.Session who, string number = GoodCard) =>
        (await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
            new { type = "card", card = new { number, exp_month = 12, exp_year = 2099, cvc = "123", holder_name = "Alice Doe" } }, who.Token))
        .GetProperty("id").GetGuid();

    private static async Task<JsonElement> PayAsync(World w, Guid method, string amount, Guid? wallet = null, string? key = null) =>
        await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/payments/process",
            new { payment_method_id = method, account_id = wallet ?? w.AliceWallet, amount, currency = "MXN", description = "Top-up" }, w.Alice.Token,
            key ?? Guid.NewGuid().ToString());

    private static async Task<JsonElement> WaitForAsync(World w, Guid payment, string status)
    {
        for (var i = 0; i < 300; i++)
        {
            var shown = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/payments/{payment}", token: w.Alice.Token);
            if (shown.GetProperty("status").GetString() == status)
            {
                return shown;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Payment {payment} did not become {status}");
    }

    private static async Task<string> IncomeAsync(World w, string line)
    {
        var statement = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/income-statement?currency=MXN", token: w.Admin.Token);
        return statement.GetProperty("income").EnumerateArray().Where(l => l.GetProperty("account").GetString() == line)
            .Select(l => l.GetProperty("amount").GetString()!).SingleOrDefault() ?? "0.00";
    }

    [DbFact]
    public async Task A_pay_in_monitoring_holds_waits_for_an_analyst_before_the_provider_is_asked()
    {
        await using var w = await StartAsync();
        var analyst = await w.Api.CreateUserAsync(w.Admin.Token, "analyst");
        // More than one pay-in into a wallet in an hour is held for review.
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/risk/rules", new { velocity = new { hour_count = 1, hour_score = 60 } }, w.Admin.Token);
        var card = await CardAsync(w, w.Alice);
        var first = (await PayAsync(w, card, "100.00")).GetProperty("id").GetGuid();
        await WaitForAsync(w, first, "succeeded");

        async Task<(Guid Payment, Guid Review)> HeldAsync(string amount)
        {
            var payment = (await PayAsync(w, card, amount)).GetProperty("id").GetGuid();
            var transaction = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{payment}", token: analyst.Token);
            Assert.Equal(("open", "review", "velocity_hour"), (transaction.GetProperty("review_status").GetString(),
                transaction.GetProperty("risk").GetProperty("outcome").GetString(), transaction.GetProperty("risk").GetProperty("rules")[0].GetProperty("rule").GetString()));
            return (payment, transaction.GetProperty("review_id").GetGuid());
        }
        var (approved, approvedReview) = await HeldAsync("50.00");
        var (rejected, rejectedReview) = await HeldAsync("60.00");
        // A pass of the submission worker, made here rather than waited for, asks the provider about neither.
        await w.App.Services.GetRequiredService<Finsoft.Api.MoneyPath.Payments.PaymentSubmission>().SubmitAsync(askAll: false, CancellationToken.None);
        Assert.Equal(1, await w.App.WithDbAsync(db => db.SimulatedCharges.CountAsync()));
        Assert.Equal("processing", (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/payments/{approved}", token: w.Alice.Token))
            .GetProperty("status").GetString());

        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{approvedReview}/decision", new { decision = "approve", note = "Known payer" },
            analyst.Token);
        await WaitForAsync(w, approved, "succeeded");
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reviews/{rejectedReview}/decision", new { decision = "reject", note = "Card testing" },
            analyst.Token);
        var failed = await WaitForAsync(w, rejected, "failed");
        Assert.Equal("Rejected in compliance review", failed.GetProperty("failure_reason").GetString());
        Assert.Equal(2, await w.App.WithDbAsync(db => db.SimulatedCharges.CountAsync()));
        // 100.00 and 50.00 in, less their fees (2.9% + 3.00 each): 94.10 + 45.55, on top of the opening 0.01.
        Assert.Equal("139.66", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet));
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_card_payment_is_booked_when_the_provider_says_it_succeeded_with_the_fee_to_income()
    {
        await using var w = await StartAsync();
        var card = await CardAsync(w, w.Alice);
        var payment = await PayAsync(w, card, "100.00");
        Assert.Equal(("processing", "100.00", "MXN", "5.90", "simcard", "card", "4242"), (payment.GetProperty("status").GetString(),
            payment.GetProperty("amount").GetString(), payment.GetProperty("currency").GetString(), payment.GetProperty("fee").GetString(),
            payment.GetProperty("provider").GetString(), payment.GetProperty("payment_method").GetProperty("type").GetString(),
            payment.GetProperty("payment_method").GetProperty("last4").GetString()));
        Assert.Equal(w.AliceWallet, payment.GetProperty("account_id").GetGuid());

        var id = payment.GetProperty("id").GetGuid();
        var done = await WaitForAsync(w, id, "succeeded");
        Assert.Equal("94.11", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet)); // 0.01 + 100.00 - 5.90
        Assert.Equal("5.90", await IncomeAsync(w, "fee_income"));
        Assert.Equal(JsonValueKind.Null, done.GetProperty("failure_reason").ValueKind);
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());

        // The outbox announced it; Bob sees neither the payment nor its event.
        var events = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/events?type=payment.succeeded", token: w.Alice.Token);
        Assert.Equal(id, events[0].GetProperty("data").GetProperty("id").GetGuid());
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync($"/api/v1/payments/{id}", w.Bob.Token), HttpStatusCode.NotFound);
        Assert.Equal(0, (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments", token: w.Bob.Token)).GetArrayLength());
        Assert.Equal(1, (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments?status=succeeded", token: w.Admin.Token)).GetArrayLength());
    }

    [DbFact]
    public async Task A_bank_account_payment_goes_through_the_bank_provider_with_its_own_signature()
    {
        await using var w = await StartAsync();
        var clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value;
        var method = (await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
            new { type = "bank_account", clabe, holder_name = "Alice Doe" }, w.Alice.Token)).GetProperty("id").GetGuid();
        var payment = await PayAsync(w, method, "1000.00");
        Assert.Equal("simbank", payment.GetProperty("provider").GetString());
        await WaitForAsync(w, payment.GetProperty("id").GetGuid(), "succeeded");
        Assert.Equal("968.01", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet)); // fee 29.00 + 3.00
    }

    [DbFact]
    public async Task A_declined_card_fails_the_payment_with_its_reason_and_books_nothing()
    {
        await using var w = await StartAsync();
        var card = await CardAsync(w, w.Alice, DecliningCard);
        var id = (await PayAsync(w, card, "50.00")).GetProperty("id").GetGuid();
        var failed = await WaitForAsync(w, id, "failed");
        Assert.Contains("declined", failed.GetProperty("failure_reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("0.01", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet));
        Assert.Equal("0.00", await IncomeAsync(w, "fee_income"));
        Assert.Equal(0, await w.App.WithDbAsync(db => Task.FromResult(db.JournalEntries.Count(e => e.TransactionId == id))));
        // A failed payment cannot be refunded.
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/payments/{id}/refund", new { }, w.Alice.Token, Guid.NewGuid().ToString()),
            HttpStatusCode.Conflict);
    }

    [DbFact]
    public async Task Events_sent_twice_and_out_of_order_change_the_payment_once()
    {
        await using var w = await StartAsync(new()
        {
            ["Finsoft:Payments:Providers:simcard:DuplicateEvents"] = "true", ["Finsoft:Payments:Providers:simcard:OutOfOrder"] = "true",
        });
        var card = await CardAsync(w, w.Alice);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await PayAsync(w, card, "10.00")).GetProperty("id").GetGuid());
        }
        foreach (var id in ids)
        {
            await WaitForAsync(w, id, "succeeded");
        }
        // Every event delivered (twice each, the outcome before its "processing" notice) before the books are read.
        await WaitUntilAsync(w, db => !db.SimulatedProviderEvents.Any(e => e.DeliveredAt == null));
        Assert.Equal("20.14", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet)); // 0.01 + 3 × (10.00 - 3.29)
        Assert.Equal(6, await w.App.WithDbAsync(db => Task.FromResult(db.ProviderEvents.Count())));
        // They did arrive out of order: in order, the last payment's outcome would come after every "processing" notice.
        var received = await w.App.WithDbAsync(db => Task.FromResult(db.ProviderEvents.ToList()));
        Assert.True(received.Where(e => e.Type == "payment_intent.succeeded").Max(e => e.ReceivedAt)
            <= received.Where(e => e.Type == "payment_intent.processing").Max(e => e.ReceivedAt));
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
        var statuses = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments", token: w.Alice.Token);
        Assert.All(statuses.EnumerateArray(), p => Assert.Equal("succeeded", p.GetProperty("status").GetString()));
    }

    [DbFact]
    public async Task The_webhook_refuses_forged_missing_and_stale_signatures_and_acknowledges_repeats_and_backward_moves_without_change()
    {
        // The provider is slow enough that the test speaks for it.
        await using var w = await StartAsync(new() { ["Finsoft:Payments:Providers:simcard:DelayMilliseconds"] = "600000" });
        var card = await CardAsync(w, w.Alice);
        var id = (await PayAsync(w, card, "100.00")).GetProperty("id").GetGuid();
        await WaitUntilAsync(w, db => db.Payments.Any(p => p.Id == id && p.ProviderReference != null));

        var succeeded = StripeEvent("evt_test_1", "payment_intent.succeeded", id);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var (header, why) in new (string?, string)[]
        {
            (null, "missing"),
            (StripeSignature(succeeded, now, "whsec_wrong"), "forged"),
            // Well past the five minutes allowed either way: a second or two may pass between `now` and the server's reading of it.
            (StripeSignature(succeeded, now - 330, CardSecret), "stale"),
            (StripeSignature(succeeded, now + 330, CardSecret), "from the future"),
            ($"t={now},v1=zz", "not hex"),
            (StripeSignature(succeeded.Replace("100", "999", StringComparison.Ordinal), now, CardSecret).Replace("999", "100", StringComparison.Ordinal), "over other bytes"),
        })
        {
            var refused = await PostWebhookAsync(w, "simcard", succeeded, header is null ? [] : new() { ["Stripe-Signature"] = header });
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)refused.StatusCode}");
        }
        var tampered = await PostWebhookAsync(w, "simcard", succeeded.Replace("evt_test_1", "evt_test_x", StringComparison.Ordinal),
            new() { ["Stripe-Signature"] = StripeSignature(succeeded, now, CardSecret) });
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        Assert.Equal("0.01", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet));

        // A success for another amount than was asked for is not booked; it is logged for reconciliation.
        Assert.Equal("contradicted", await AcceptedAsync(w, StripeEvent("evt_test_0", "payment_intent.succeeded", id, amount: 100), now));
        Assert.Equal("0.01", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet));
        Assert.Contains("contradicts the books", w.App.ServerLog.Text, StringComparison.Ordinal);
        Assert.Equal("applied", await AcceptedAsync(w, succeeded, now));
        Assert.Equal("duplicate", await AcceptedAsync(w, succeeded, now)); // the same event id again
        Assert.Equal("ignored", await AcceptedAsync(w, StripeEvent("evt_test_2", "payment_intent.succeeded", id), now)); // a second success, new id
        Assert.Equal("contradicted", await AcceptedAsync(w, StripeEvent("evt_test_3", "payment_intent.payment_failed", id), now)); // backwards
        Assert.Equal("ignored", await AcceptedAsync(w, StripeEvent("evt_test_4", "payment_intent.processing", id), now));
        Assert.Equal("ignored", await AcceptedAsync(w, StripeEvent("evt_test_5", "customer.created", id), now)); // a type we do not act on
        Assert.Equal("ignored", await AcceptedAsync(w, StripeEvent("evt_test_6", "payment_intent.succeeded", Guid.NewGuid()), now)); // not ours
        Assert.Equal("succeeded", (await WaitForAsync(w, id, "succeeded")).GetProperty("status").GetString());
        Assert.Equal("94.11", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet));

        // A wallet a provider still owes an answer about cannot be closed, even empty.
        var spare = await w.Api.CreateAccountAsync(w.Alice.Token);
        await PayAsync(w, card, "20.00", spare);
        var closing = await w.Api.SendAsync(HttpMethod.Delete, $"/api/v1/accounts/{spare}", token: w.Alice.Token);
        await ApiClient.AssertProblemAsync(closing, HttpStatusCode.Conflict);
        Assert.Contains("waiting for its provider", (await ApiClient.BodyAsync(closing)).GetProperty("error").GetString(), StringComparison.Ordinal);

        // The bank provider's own header, and a secret that is not the card provider's.
        var bankEvent = $$"""{"event_id":"sbev_1","event":"transfer.settled","reference":"{{id}}"}""";
        var bankMac = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(CardSecret), Encoding.UTF8.GetBytes($"{now}:{bankEvent}")));
        var wrongSecret = await PostWebhookAsync(w, "simbank", bankEvent, new() { ["SimBank-Timestamp"] = $"{now}", ["SimBank-Signature"] = "sha256=" + bankMac });
        Assert.Equal(HttpStatusCode.BadRequest, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostWebhookAsync(w, "paypal", bankEvent, [])).StatusCode);

        // Genuine signatures over bodies that are not events: 400, never a 500.
        string[] odd = ["{}", "[1,2]", "not json", "{\"id\":null,\"type\":\"payment_intent.succeeded\"}",
            "{\"id\":\"evt_x\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"amount\":\"lots\"}}}"];
        foreach (var body in odd)
        {
            using var answer = await PostWebhookAsync(w, "simcard", body, new() { ["Stripe-Signature"] = StripeSignature(body, now, CardSecret) });
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)answer.StatusCode}");
        }
    }

    [DbFact]
    public async Task Partial_and_full_refunds_go_back_through_the_provider_and_return_the_fee_in_proportion()
    {
        await using var w = await StartAsync();
        var card = await CardAsync(w, w.Alice);
        var id = (await PayAsync(w, card, "100.00")).GetProperty("id").GetGuid();
        await WaitForAsync(w, id, "succeeded");

        var tooMuch = await w.Api.PostAsync($"/api/v1/payments/{id}/refund", new { amount = "100.01" }, w.Alice.Token, Guid.NewGuid().ToString());
        await ApiClient.AssertProblemAsync(tooMuch, HttpStatusCode.UnprocessableEntity);
        var decimals = await w.Api.PostAsync($"/api/v1/payments/{id}/refund", new { amount = "1.001" }, w.Alice.Token, Guid.NewGuid().ToString());
        await ApiClient.AssertProblemAsync(decimals, HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/payments/{id}/refund", new { amount = "1.00" }, w.Bob.Token, Guid.NewGuid().ToString()),
            HttpStatusCode.NotFound);

        var partial = await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/v1/payments/{id}/refund", new { amount = "30.00" },
            w.Alice.Token, Guid.NewGuid().ToString());
        Assert.Equal(("processing", "30.00", id), (partial.GetProperty("status").GetString(), partial.GetProperty("amount").GetString(),
            partial.GetProperty("payment_id").GetGuid()));
        // Booked at once: 30.00 less its 1.77 share of the 5.90 fee leaves the wallet.
        Assert.Equal("65.88", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet));
        var shown = await WaitForAsync(w, id, "partially_refunded");
        Assert.Equal("30.00", shown.GetProperty("amount_refunded").GetString());
        Assert.Equal("succeeded", shown.GetProperty("refunds")[0].GetProperty("status").GetString());

        // No amount: the rest. The wallet gives back all it got; the fee goes back in full.
        await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/v1/payments/{id}/refund", new { }, w.Alice.Token, Guid.NewGuid().ToString());
        var refunded = await WaitForAsync(w, id, "refunded");
        Assert.Equal("100.00", refunded.GetProperty("amount_refunded").GetString());
        Assert.Equal("0.01", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet));
        Assert.Equal("0.00", await IncomeAsync(w, "fee_income"));
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/payments/{id}/refund", new { }, w.Alice.Token, Guid.NewGuid().ToString()),
            HttpStatusCode.UnprocessableEntity);
        var events = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/events?type=payment.refunded", token: w.Alice.Token);
        Assert.Equal(2, events.GetArrayLength());
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_refund_needs_the_funds_in_the_wallet_and_one_the_provider_refuses_is_booked_back()
    {
        await using var w = await StartAsync(new() { ["Finsoft:Payments:Providers:simcard:DeclineRefunds"] = "true" });
        var card = await CardAsync(w, w.Alice);
        var id = (await PayAsync(w, card, "100.00")).GetProperty("id").GetGuid();
        await WaitForAsync(w, id, "succeeded");
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = w.AliceWallet, destination_account_id = w.BobWallet, amount = "90.00" }, w.Alice.Token, Guid.NewGuid().ToString());
        var lacking = await w.Api.PostAsync($"/api/v1/payments/{id}/refund", new { }, w.Alice.Token, Guid.NewGuid().ToString());
        await ApiClient.AssertProblemAsync(lacking, HttpStatusCode.BadRequest);

        var refund = await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/v1/payments/{id}/refund", new { amount = "4.00" },
            w.Alice.Token, Guid.NewGuid().ToString());
        Assert.Equal("0.34", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet)); // 4.11 - (4.00 - 0.23, its share of the fee, rounded down)
        await WaitUntilAsync(w, db => db.Transactions.Any(t => t.Id == refund.GetProperty("id").GetGuid() && t.Status == "FAILED"));
        Assert.Equal("4.11", await w.Api.BalanceAsync(w.Alice.Token, w.AliceWallet));
        var shown = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/payments/{id}", token: w.Alice.Token);
        Assert.Equal(("succeeded", "0.00", "failed"), (shown.GetProperty("status").GetString(), shown.GetProperty("amount_refunded").GetString(),
            shown.GetProperty("refunds")[0].GetProperty("status").GetString()));
        Assert.Equal("5.90", await IncomeAsync(w, "fee_income"));
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Bad_payment_requests_get_a_clear_4xx_and_a_repeated_key_answers_the_same_payment()
    {
        await using var w = await StartAsync();
        var card = await CardAsync(w, w.Alice);
        var bobCard = await CardAsync(w, w.Bob);
        async Task Refused(object body, HttpStatusCode status) =>
            await ApiClient.AssertProblemAsync(await w.Api.PostAsync("/api/v1/payments/process", body, w.Alice.Token, Guid.NewGuid().ToString()), status);
        await Refused(new { payment_method_id = bobCard, account_id = w.AliceWallet, amount = "10.00", currency = "MXN" }, HttpStatusCode.NotFound);
        await Refused(new { payment_method_id = card, account_id = w.BobWallet, amount = "10.00", currency = "MXN" }, HttpStatusCode.NotFound);
        await Refused(new { payment_method_id = card, account_id = w.AliceWallet, amount = "10.001", currency = "MXN" }, HttpStatusCode.UnprocessableEntity);
        await Refused(new { payment_method_id = card, account_id = w.AliceWallet, amount = "-10.00", currency = "MXN" }, HttpStatusCode.UnprocessableEntity);
        await Refused(new { payment_method_id = card, account_id = w.AliceWallet, amount = "10.00", currency = "XXY" }, HttpStatusCode.UnprocessableEntity);
        await Refused(new { payment_method_id = card, account_id = w.AliceWallet, amount = "10.00", currency = "USD" }, HttpStatusCode.UnprocessableEntity);
        await Refused(new { payment_method_id = card, account_id = w.AliceWallet, amount = "3.00", currency = "MXN" }, HttpStatusCode.UnprocessableEntity);
        await Refused(new { account_id = w.AliceWallet, amount = "10.00", currency = "MXN" }, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await w.App.WithDbAsync(db => Task.FromResult(db.Payments.Count())));

        var first = await PayAsync(w, card, "10.00", key: "pay-once");
        var again = await PayAsync(w, card, "10.00", key: "pay-once");
        Assert.Equal(first.GetProperty("id").GetGuid(), again.GetProperty("id").GetGuid());
        Assert.Equal(1, await w.App.WithDbAsync(db => Task.FromResult(db.Payments.Count())));
    }

    private static async Task<string> AcceptedAsync(World w, string body, long now)
    {
        using var response = await PostWebhookAsync(w, "simcard", body, new() { ["Stripe-Signature"] = StripeSignature(body, now, CardSecret) });
        var answer = await ApiClient.BodyAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return answer.GetProperty("outcome").GetString()!;
    }

    private static string StripeEvent(string id, string type, Guid reference, long amount = 10_000) =>
        JsonSerializer.Serialize(new
        {
            id, @object = "event", type,
            data = new { @object = new { id = "pi_test", amount, currency = "mxn", metadata = new { finsoft_reference = reference } } },
        });

    /// <summary>Stripe's scheme, written here from its documentation, not taken from the app: hex HMAC-SHA256 of "t.body".</summary>
    private static string StripeSignature(string body, long timestamp, string secret)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}")))}";
    }

    private static async Task<HttpResponseMessage> PostWebhookAsync(World w, string provider, string body, Dictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/payments/webhook/{provider}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await w.Api.Http.SendAsync(request);
    }

    private static async Task WaitUntilAsync(World w, Func<Finsoft.Api.Infrastructure.Persistence.FinsoftDb, bool> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await w.App.WithDbAsync(db => Task.FromResult(condition(db))))
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("The condition did not come true");
    }
}

public sealed class PaymentTestsOnSqlite() : PaymentTests(DatabaseKind.Sqlite);

public sealed class PaymentTestsOnPostgres() : PaymentTests(DatabaseKind.Postgres), IPostgresTests;
