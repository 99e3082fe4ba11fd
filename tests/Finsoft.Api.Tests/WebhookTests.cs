using System.Net;
using System.Net.Sockets;
using Finsoft.Api.Features.Webhooks;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>
/// Outgoing webhooks to a loopback receiver that checks each signature with the StandardWebhooks package:
/// deliveries from the event outbox, in order per endpoint, retried on the schedule, rotated secrets, and
/// endpoints disabled after failing long enough. Retries are milliseconds apart here instead of hours.
/// </summary>
public abstract class WebhookTests(DatabaseKind kind)
{
    private static Dictionary<string, string?> Settings(int disableAfterSeconds = 86_400) => new()
    {
        ["Finsoft:Webhooks:AllowPrivateTargets"] = "true", ["Finsoft:Webhooks:PollMilliseconds"] = "50",
        ["Finsoft:Webhooks:RetryDelaysMilliseconds:0"] = "150", ["Finsoft:Webhooks:RetryDelaysMilliseconds:1"] = "300",
        ["Finsoft:Webhooks:RetryDelaysMilliseconds:2"] = "300", ["Finsoft:Webhooks:DisableAfterSeconds"] = disableAfterSeconds.ToString(),
    };

    private static async Task<(Guid Id, string Secret)> EndpointAsync(TwoCustomers w, ApiClient.Session who, WebhookReceiver receiver, params string[] events)
    {
        var created = await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/webhooks/endpoints",
            new { url = receiver.Url.ToString(), events, description = "test receiver" }, who.Token);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        return (created.GetProperty("id").GetGuid(), secret);
    }

    private static Task<HttpResponseMessage> TransferAsync(TwoCustomers w, string amount) =>
        w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, amount);

    [DbFact]
    public async Task Events_are_delivered_signed_in_order_and_retried_until_the_receiver_answers()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00", Settings());
        await using var app = w.App;
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, secret) = await EndpointAsync(w, w.Alice, receiver, "transaction.completed");
        receiver.Secrets.Add(secret);
        var answers = 0;
        receiver.Answer = () => Interlocked.Increment(ref answers) <= 2 ? 500 : 200; // the first two tries fail

        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await TransferAsync(w, $"{i}.00")).StatusCode);
        }
        await receiver.WaitForAsync(r => r.Accepted.Count() == 5, "five deliveries accepted");

        var accepted = receiver.Accepted.ToList();
        Assert.All(accepted, d => Assert.Equal([0], d.VerifiedBy));
        Assert.All(accepted, d => Assert.Equal("transaction.completed", d.Type));
        Assert.Equal(accepted.Select(d => d.Position).Order(), accepted.Select(d => d.Position)); // in order, the first held back the rest
        Assert.Equal(["1.00", "2.00", "3.00", "4.00", "5.00"], accepted.Select(d => d.Data.GetProperty("amount").GetString()));
        // The two failures were the first delivery, tried again under the same message id.
        var tries = receiver.Received.ToList();
        Assert.Equal(7, tries.Count);
        Assert.Equal(tries[0].MessageId, tries[2].MessageId);

        var deliveries = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}/deliveries", token: w.Alice.Token);
        Assert.Equal(5, deliveries.GetArrayLength());
        var first = deliveries.EnumerateArray().MinBy(d => d.GetProperty("event_position").GetInt64());
        Assert.Equal(("succeeded", 3, 200), (first.GetProperty("status").GetString(), first.GetProperty("attempts").GetInt32(),
            first.GetProperty("last_status_code").GetInt32()));
        Assert.Equal([500, 500, 200], first.GetProperty("attempt_log").EnumerateArray().Select(a => a.GetProperty("status_code").GetInt32()));

        // A customer's endpoint hears only of wallets it holds: Bob paying a third wallet is not Alice's business.
        var carol = await w.Api.RegisterAsync();
        var carolWallet = await w.Api.CreateAccountAsync(carol.Token);
        await w.Api.TransferAsync(w.Bob.Token, w.BobAccount, carolWallet, "1.00");
        await TransferAsync(w, "6.00");
        await receiver.WaitForAsync(r => r.Accepted.Count() == 6, "the sixth delivery");
        await Task.Delay(500);
        Assert.DoesNotContain(receiver.Accepted, d => d.Data.GetProperty("destination_account_id").GetGuid() == carolWallet);
    }

    [DbFact]
    public async Task A_rotated_secret_and_the_old_one_both_sign_during_the_overlap()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00", Settings());
        await using var app = w.App;
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, oldSecret) = await EndpointAsync(w, w.Admin, receiver, "*");
        var rotated = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/rotate-secret", new { }, w.Admin.Token);
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.True(rotated.GetProperty("previous_secret_expires_at").GetDateTime() > DateTime.UtcNow.AddHours(23));
        receiver.Secrets.AddRange([oldSecret, newSecret, "whsec_" + Convert.ToBase64String(new byte[32])]);

        await TransferAsync(w, "1.00");
        await receiver.WaitForAsync(r => r.Accepted.Any(d => d.Type == "transaction.completed"), "the transfer");
        Assert.All(receiver.Accepted, d => Assert.Equal([0, 1], d.VerifiedBy)); // both real secrets verify, a made-up one does not
        // The secret is never shown again, and is stored encrypted.
        var shown = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}", token: w.Admin.Token);
        Assert.False(shown.TryGetProperty("secret", out _));
        var dump = await app.WithDbAsync(DataProtectionTests.DumpAsync);
        Assert.DoesNotContain(newSecret, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(oldSecret, dump, StringComparison.Ordinal);
    }

    [DbFact]
    public async Task An_endpoint_failing_long_enough_is_disabled_says_why_and_catches_up_once_enabled()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00", Settings(disableAfterSeconds: 1));
        await using var app = w.App;
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, secret) = await EndpointAsync(w, w.Alice, receiver, "transaction.completed");
        receiver.Secrets.Add(secret);
        receiver.Answer = () => 503;
        await TransferAsync(w, "1.00");
        await TransferAsync(w, "2.00");

        JsonElementWaiter disabled = async () =>
            await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}", token: w.Alice.Token);
        var shown = await PollAsync(disabled, e => e.GetProperty("status").GetString() == "disabled");
        Assert.Contains("failed", shown.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
        var tried = receiver.Received.Count;
        await Task.Delay(600);
        Assert.Equal(tried, receiver.Received.Count); // nothing is sent to a disabled endpoint

        // Repaired and enabled, what is pending goes out; a delivery that ran out of tries is sent again by hand.
        receiver.Answer = () => 200;
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/enable", new { }, w.Alice.Token);
        var deliveries = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}/deliveries", token: w.Alice.Token);
        Assert.Equal(2, deliveries.GetArrayLength());
        foreach (var failed in deliveries.EnumerateArray().Where(d => d.GetProperty("status").GetString() == "failed"))
        {
            Assert.Null(failed.GetProperty("next_attempt_at").GetString());
            await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post,
                $"/api/v1/webhooks/endpoints/{endpoint}/deliveries/{failed.GetProperty("id").GetGuid()}/retry", new { }, w.Alice.Token);
        }
        await receiver.WaitForAsync(r => r.Accepted.Select(d => d.Position).Distinct().Count() == 2, "both transfers delivered");
        var delivered = (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}/deliveries", token: w.Alice.Token))[0];
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync(
            $"/api/v1/webhooks/endpoints/{endpoint}/deliveries/{delivered.GetProperty("id").GetGuid()}/retry", new { }, w.Alice.Token), HttpStatusCode.Conflict);
        Assert.Equal("enabled", (await disabled()).GetProperty("status").GetString());
    }

    [DbFact]
    public async Task Payment_events_reach_the_payers_endpoint()
    {
        var settings = Settings();
        settings["Finsoft:Payments:PollMilliseconds"] = "50";
        settings["Finsoft:Payments:Providers:simcard:DelayMilliseconds"] = "50";
        var w = await TwoCustomers.StartAsync(kind, "1.00", settings, overKestrel: true);
        await using var app = w.App;
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, secret) = await EndpointAsync(w, w.Alice, receiver, "payment.succeeded", "payment.refunded");
        receiver.Secrets.Add(secret);
        var card = (await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
            new { type = "card", card = new { number = "4242424242424242", exp_month = 12, exp_year = 2099, cvc = "123", holder_name = "Alice" } }, w.Alice.Token))
            .GetProperty("id").GetGuid();
        var payment = (await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/payments/process",
            new { payment_method_id = card, account_id = w.AliceAccount, amount = "50.00", currency = "MXN" }, w.Alice.Token)).GetProperty("id").GetGuid();
        await receiver.WaitForAsync(r => r.Accepted.Any(d => d.Type == "payment.succeeded"), "payment.succeeded");
        var data = receiver.Accepted.Single(d => d.Type == "payment.succeeded").Data;
        Assert.Equal((payment, "succeeded", "card"), (data.GetProperty("id").GetGuid(), data.GetProperty("status").GetString(),
            data.GetProperty("payment_method").GetProperty("type").GetString()));
        Assert.All(receiver.Accepted, d => Assert.Equal([0], d.VerifiedBy));
    }

    [DbFact]
    public async Task Private_loopback_and_link_local_targets_are_refused_unless_allowed()
    {
        var w = await TwoCustomers.StartAsync(kind, "1.00");
        await using var app = w.App;
        foreach (var url in new[]
        {
            "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://192.168.1.1/",
            "http://172.16.0.1/", "http://[::1]/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://0.0.0.0/",
            "ftp://93.184.216.34/", "https://user:pass@93.184.216.34/", "not a url", "http://no-such-host.invalid/",
            "http://" + string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + "/hook", // a host longer than DNS allows
            "http://[64:ff9b::a00:1]/", "http://[2002:a00:1::]/",
        })
        {
            using var refused = await w.Api.PostAsync("/api/v1/webhooks/endpoints", new { url, events = new[] { "*" } }, w.Alice.Token);
            await ApiClient.AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity);
        }
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync("/api/v1/webhooks/endpoints",
            new { url = "https://93.184.216.34/hook", events = new[] { "money.moved" } }, w.Alice.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync("/api/v1/webhooks/endpoints",
            new { url = "https://93.184.216.34/hook", events = Array.Empty<string>() }, w.Alice.Token), HttpStatusCode.UnprocessableEntity);
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/webhooks/endpoints",
            new { url = "https://93.184.216.34/hook", events = new[] { "payment.refund_failed" } }, w.Alice.Token);
        Assert.Equal(0, (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/webhooks/endpoints", token: w.Bob.Token)).GetArrayLength());

        // At send time the connection itself refuses a private address, whatever a name resolved to when registered.
        await using var receiver = await WebhookReceiver.StartAsync();
        using var guarded = new HttpClient(new SocketsHttpHandler { ConnectCallback = TargetGuard.Connect(allowPrivate: false) });
        var blocked = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.PostAsync(receiver.Url.ToString().Replace("127.0.0.1", "localhost"), null));
        Assert.Contains("no public address", blocked.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    private delegate Task<System.Text.Json.JsonElement> JsonElementWaiter();

    private static async Task<System.Text.Json.JsonElement> PollAsync(JsonElementWaiter read, Func<System.Text.Json.JsonElement, bool> done)
    {
        for (var i = 0; i < 200; i++)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("The condition did not come true");
    }
}

public sealed class WebhookTestsOnSqlite() : WebhookTests(DatabaseKind.Sqlite);

public sealed class WebhookTestsOnPostgres() : WebhookTests(DatabaseKind.Postgres), IPostgresTests;

/// <summary>Which addresses webhooks may be sent to.</summary>
public sealed class TargetGuardTests
{
    [Fact]
    public void Only_public_addresses_count_as_public()
    {
        foreach (var address in new[] { "8.8.8.8", "93.184.216.34", "2606:4700:4700::1111" })
        {
            Assert.True(TargetGuard.IsPublic(IPAddress.Parse(address)), address);
        }
        foreach (var address in new[]
        {
            "127.0.0.1", "10.0.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.100.100.100", "0.0.0.0", "224.0.0.1", "255.255.255.255",
            "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.1", "::10.0.0.1", "64:ff9b::a00:1",
            "64:ff9b:1::a00:1", "2002:a00:1::", "2001:0:4136:e378::1", "2001:db8::1",
        })
        {
            Assert.False(TargetGuard.IsPublic(IPAddress.Parse(address)), address);
        }
        Assert.Equal(AddressFamily.InterNetworkV6, IPAddress.Parse("::ffff:10.0.0.1").AddressFamily);
    }
}
