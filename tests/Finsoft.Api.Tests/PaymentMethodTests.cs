using System.Net;
using System.Text;
using Finsoft.Api.Features.Payments;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>Cards and bank accounts to pay in from: checked, vaulted at the provider, kept only as a token and what may be shown.</summary>
public abstract class PaymentMethodTests(DatabaseKind kind)
{
    private const string Number = "4111111111111111";
    private const string Cvc = "737";

    private static object Card(string number = Number, int month = 12, int year = 2099, string cvc = Cvc) =>
        new { type = "card", card = new { number, exp_month = month, exp_year = year, cvc, holder_name = "Alice Doe" } };

    [DbFact]
    public async Task A_card_is_kept_as_the_providers_token_brand_last_four_and_expiry_and_its_number_reaches_no_table_file_or_log()
    {
        var w = await TwoCustomers.StartAsync(kind, "10.00", new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace", ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Trace",
        });
        await using var app = w.App;
        var card = await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods", Card(), w.Alice.Token);
        Assert.Equal(("card", "visa", "1111", 12, 2099, "Alice Doe", "simcard"), (card.GetProperty("type").GetString(), card.GetProperty("brand").GetString(),
            card.GetProperty("last4").GetString(), card.GetProperty("exp_month").GetInt32(), card.GetProperty("exp_year").GetInt32(),
            card.GetProperty("holder_name").GetString(), card.GetProperty("provider").GetString()));
        Assert.DoesNotContain(Number, card.GetRawText(), StringComparison.Ordinal);
        // Every field but the timestamps, whose microseconds may hold any three digits (the CVC was once found in created_at).
        Assert.DoesNotContain(card.EnumerateObject(), f => f.Name is not ("created_at" or "updated_at") && f.Value.GetRawText().Contains(Cvc, StringComparison.Ordinal));
        var amex = await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods", Card("3782 8224 6310 005", cvc: "1234"), w.Alice.Token);
        Assert.Equal(("amex", "0005"), (amex.GetProperty("brand").GetString(), amex.GetProperty("last4").GetString()));
        var clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value;
        var bank = await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
            new { type = "bank_account", clabe, holder_name = "Alice Doe" }, w.Alice.Token);
        Assert.Equal(("bank_account", "BBVA Bancomer", clabe[^4..], "simbank"), (bank.GetProperty("type").GetString(), bank.GetProperty("bank_name").GetString(),
            bank.GetProperty("last4").GetString(), bank.GetProperty("provider").GetString()));

        // Each customer lists its own; a deleted one is gone from the list, and deleting it again is 404.
        var listed = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments/methods", token: w.Alice.Token);
        Assert.Equal(3, listed.GetArrayLength());
        Assert.Equal(0, (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments/methods", token: w.Bob.Token)).GetArrayLength());
        var amexId = amex.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await w.Api.SendAsync(HttpMethod.Delete, $"/api/v1/payments/methods/{amexId}", token: w.Alice.Token)).StatusCode);
        await ApiClient.AssertProblemAsync(await w.Api.SendAsync(HttpMethod.Delete, $"/api/v1/payments/methods/{amexId}", token: w.Alice.Token), HttpStatusCode.NotFound);
        Assert.Equal(2, (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments/methods", token: w.Alice.Token)).GetArrayLength());

        var dump = await app.WithDbAsync(DataProtectionTests.DumpAsync);
        Assert.Contains("tok_simcard_", dump, StringComparison.Ordinal); // the dump did read the tables
        foreach (var secret in new[] { Number, "378282246310005" })
        {
            Assert.DoesNotContain(secret, dump, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, app.ServerLog.Text, StringComparison.Ordinal);
        }
        Assert.DoesNotContain($"|{Cvc}|", dump, StringComparison.Ordinal);
        // A CVC is three digits that can occur anywhere in a log by chance (a duration, a port); what must not occur is the CVC as a value.
        foreach (var leak in new[] { $"\"cvc\":\"{Cvc}\"", $"Cvc = {Cvc}", $"cvc={Cvc}" })
        {
            Assert.DoesNotContain(leak, app.ServerLog.Text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains("Executed DbCommand", app.ServerLog.Text, StringComparison.Ordinal); // the log did capture everything, SQL included
        Assert.Contains("/api/v1/payments/methods", app.ServerLog.Text, StringComparison.Ordinal);
        if (kind == DatabaseKind.Sqlite)
        {
            foreach (var file in Directory.GetFiles(app.DataDirectory, "finsoft.db*"))
            {
                Assert.DoesNotContain(Number, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
            }
        }
    }

    [DbFact]
    public async Task A_card_that_is_not_a_card_or_has_expired_and_a_wrong_bank_account_are_refused_and_nothing_is_kept()
    {
        var w = await TwoCustomers.StartAsync(kind, "10.00");
        await using var app = w.App;
        var refused = new object[]
        {
            Card("4111111111111112"),                         // check digit
            Card("9111111111111111"),                         // no such network
            Card("411111111111111"),                          // a Visa has 13, 16 or 19 digits
            Card(year: 2020),                                 // expired
            Card(month: 13),
            Card(cvc: "12"),
            Card("378282246310005", cvc: "123"),             // an Amex CVC has four digits
            new { type = "card" },
            new { type = "coupon" },
            new { type = "bank_account", clabe = "012180010020293990", holder_name = "Alice" }, // check digit
            new { type = "bank_account", clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value },
        };
        foreach (var body in refused)
        {
            using var response = await w.Api.PostAsync("/api/v1/payments/methods", body, w.Alice.Token);
            Assert.True(response.StatusCode is HttpStatusCode.UnprocessableEntity, $"{System.Text.Json.JsonSerializer.Serialize(body)}: {(int)response.StatusCode}");
        }
        using var unknownField = await w.Api.PostAsync("/api/v1/payments/methods",
            new { type = "card", card = new { number = Number, exp_month = 12, exp_year = 2099, cvc = Cvc, holder_name = "A", pin = "1234" } }, w.Alice.Token);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Equal(0, (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/payments/methods", token: w.Alice.Token)).GetArrayLength());
    }

    [Fact]
    public void Brands_lengths_and_check_digits_follow_the_networks_rules()
    {
        var now = new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(CardBrand.Mastercard, PaymentCard.Parse("5555555555554444", 1, 2027, "123", "A", now).Card!.Brand);
        Assert.Equal(CardBrand.Mastercard, PaymentCard.Parse("2223003122003222", 1, 2027, "123", "A", now).Card!.Brand);
        Assert.Equal(CardBrand.Discover, PaymentCard.Parse("6011111111111117", 1, 2027, "123", "A", now).Card!.Brand);
        Assert.NotNull(PaymentCard.Parse("4111111111111111", 11, 2026, "123", "A", now).Card); // valid through the end of its month
        Assert.Null(PaymentCard.Parse("4111111111111111", 10, 2026, "123", "A", now).Card);
        Assert.True(PaymentCard.PassesLuhn("79927398713"));
        Assert.False(PaymentCard.PassesLuhn("79927398710"));
        Assert.Equal("Visa card ending 1111", PaymentCard.Parse("4111111111111111", 1, 2027, "123", "A", now).Card!.ToString());
    }
}

public sealed class PaymentMethodTestsOnSqlite() : PaymentMethodTests(DatabaseKind.Sqlite);

public sealed class PaymentMethodTestsOnPostgres() : PaymentMethodTests(DatabaseKind.Postgres), IPostgresTests;
