using Finsoft.Api.MoneyPath.Settlement;
using System.Net;
using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Host;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Tests;

/// <summary>Two-phase transfers, withdrawal retry, account floors and point-in-time balances.</summary>
public abstract class HoldTests(DatabaseKind kind)
{
    private Task<TwoCustomers> FundedAsync(string aliceOpening = "100.00", IDictionary<string, string?>? settings = null) => TwoCustomers.StartAsync(kind, aliceOpening, settings);

    private static async Task<Guid> HoldAsync(TwoCustomers w, string amount, DateTime? expiresAt = null)
    {
        var body = await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = w.AliceAccount, destination_account_id = w.BobAccount, amount, hold = true, expires_at = expiresAt }, w.Alice.Token);
        Assert.Equal("PENDING", body.GetProperty("status").GetString());
        return body.GetProperty("id").GetGuid();
    }

    private static async Task<(string Balance, string Available)> WalletAsync(TwoCustomers w)
    {
        var account = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{w.AliceAccount}", token: w.Alice.Token);
        return (account.GetProperty("balance").GetString()!, account.GetProperty("available_balance").GetString()!);
    }

    [DbFact]
    public async Task A_hold_reserves_funds_then_a_partial_capture_moves_part_and_releases_the_rest_once()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        var hold = await HoldAsync(w, "70.00");
        Assert.Equal(("100.00", "30.00"), await WalletAsync(w));
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "30.01"), HttpStatusCode.BadRequest);

        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{hold}/capture", new { amount = "70.01" }, w.Alice.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{hold}/capture", new { amount = "1.00" }, w.Bob.Token), HttpStatusCode.NotFound);
        var captured = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{hold}/capture", new { amount = "25.00" }, w.Alice.Token);
        Assert.Equal("COMPLETED", captured.GetProperty("status").GetString());
        Assert.Equal("25.00", captured.GetProperty("amount").GetString());
        Assert.Equal(("75.00", "75.00"), await WalletAsync(w));
        Assert.Equal("25.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));

        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{hold}/capture", new { }, w.Alice.Token), HttpStatusCode.Conflict);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{hold}/void", null, w.Alice.Token), HttpStatusCode.Conflict);
        Assert.Equal(("75.00", "75.00"), await WalletAsync(w));
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_void_or_the_expiry_releases_a_hold_and_racing_settlements_take_effect_once()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        var voided = await HoldAsync(w, "10.00");
        var body = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{voided}/void", token: w.Alice.Token);
        Assert.Equal("FAILED", body.GetProperty("status").GetString());
        Assert.Equal(("100.00", "100.00"), await WalletAsync(w));

        var lapsing = await HoldAsync(w, "20.00", DateTime.UtcNow.AddSeconds(1));
        Assert.Equal(("100.00", "80.00"), await WalletAsync(w));
        await Task.Delay(1500);
        await app.Services.GetRequiredService<HoldExpiry>().ExpireAsync(CancellationToken.None);
        var expired = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{lapsing}", token: w.Alice.Token);
        Assert.Equal("FAILED", expired.GetProperty("status").GetString());
        Assert.Equal("expired", expired.GetProperty("failure_reason").GetString());
        Assert.Equal(("100.00", "100.00"), await WalletAsync(w));

        // Eight captures and voids of one hold at once: exactly one takes effect.
        var raced = await HoldAsync(w, "40.00");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? w.Api.PostAsync($"/api/v1/transactions/{raced}/capture", new { }, w.Alice.Token)
            : w.Api.PostAsync($"/api/v1/transactions/{raced}/void", null, w.Alice.Token)));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        var (balance, available) = await WalletAsync(w);
        Assert.Equal(balance, available);
        Assert.Contains(balance, new[] { "60.00", "100.00" });
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_failed_withdrawal_is_retried_as_a_new_instruction_and_completed_ones_stay_final()
    {
        var w = await FundedAsync("1000.00", new Dictionary<string, string?> { ["Finsoft:Bank:RejectAll"] = "true" });
        await using var app = w.App;
        var destination = await w.Api.VerifiedDestinationAsync(w.Alice.Token);
        var withdrawal = (await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
            new { origin_account_id = w.AliceAccount, external_destination_account_id = destination, amount = "400.00" }, w.Alice.Token)).GetProperty("id").GetGuid();
        await w.Api.WaitForStatusAsync(w.Alice.Token, withdrawal, "FAILED");
        Assert.Equal(("1000.00", "1000.00"), await WalletAsync(w));

        app.Services.GetRequiredService<IOptions<FinsoftOptions>>().Value.Bank.RejectAll = false; // the bank is back
        var retried = await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/v1/transactions/{withdrawal}/retry", token: w.Alice.Token);
        Assert.Equal("PENDING", retried.GetProperty("status").GetString());
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{withdrawal}/retry", null, w.Alice.Token), HttpStatusCode.Conflict);
        await w.Api.WaitForStatusAsync(w.Alice.Token, withdrawal, "COMPLETED");
        Assert.Equal(("600.00", "600.00"), await WalletAsync(w));
        Assert.Equal(2, await app.WithDbAsync(db => db.SimulatedPayouts.CountAsync())); // two instructions, one paid
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{withdrawal}/retry", null, w.Alice.Token), HttpStatusCode.Conflict);
        Assert.True((await w.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task An_admin_sets_a_minimum_balance_that_every_movement_and_hold_respects()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        var limits = $"/api/v1/accounts/{w.AliceAccount}/limits";
        await ApiClient.AssertProblemAsync(await w.Api.SendAsync(HttpMethod.Put, limits, new { minimum_balance = "50.00" }, w.Alice.Token), HttpStatusCode.Forbidden);
        await ApiClient.AssertProblemAsync(await w.Api.SendAsync(HttpMethod.Put, limits, new { overdraft_limit = "50.00" }, w.Admin.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await w.Api.SendAsync(HttpMethod.Put, limits, new { minimum_balance = "100.01" }, w.Admin.Token), HttpStatusCode.Conflict);
        var set = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, limits, new { minimum_balance = "50.00" }, w.Admin.Token);
        Assert.Equal("50.00", set.GetProperty("minimum_balance").GetString());

        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50.01"), HttpStatusCode.BadRequest);
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = w.AliceAccount, destination_account_id = w.BobAccount, amount = "0.01", hold = true }, w.Alice.Token);
        await ApiClient.AssertProblemAsync(await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50.00"), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "49.99")).StatusCode);
        Assert.Equal(("50.01", "50.00"), await WalletAsync(w));

        // The database refuses it too: even a direct write below the floor fails.
        var refused = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => app.WithDbAsync(db => db.Accounts.Where(a => a.Id == w.AliceAccount)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance - 1))));
        Assert.Contains("check constraint", refused.Message, StringComparison.OrdinalIgnoreCase);
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, limits, new { }, w.Admin.Token);
        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "50.00")).StatusCode);
    }

    [DbFact]
    public async Task A_balance_as_of_any_moment_comes_from_the_journal()
    {
        var w = await FundedAsync();
        await using var app = w.App;
        await Task.Delay(20);
        var between = DateTime.UtcNow;
        await Task.Delay(20);
        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "30.00")).StatusCode);
        string At(DateTime t) => Uri.EscapeDataString(t.ToString("O"));
        var before = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{w.AliceAccount}/balance?as_of={At(between)}", token: w.Alice.Token);
        Assert.Equal("100.00", before.GetProperty("balance").GetString());
        var now = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{w.AliceAccount}/balance", token: w.Alice.Token);
        Assert.Equal("70.00", now.GetProperty("balance").GetString());
        var start = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{w.AliceAccount}/balance?as_of=2000-01-01T00:00:00Z", token: w.Alice.Token);
        Assert.Equal("0.00", start.GetProperty("balance").GetString());
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync($"/api/v1/accounts/{w.AliceAccount}/balance", w.Bob.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await w.Api.GetAsync($"/api/v1/accounts/{w.AliceAccount}/balance?as_of=yesterday", w.Alice.Token), HttpStatusCode.BadRequest);
    }
}

public sealed class HoldTestsOnSqlite() : HoldTests(DatabaseKind.Sqlite);

public sealed class HoldTestsOnPostgres() : HoldTests(DatabaseKind.Postgres), IPostgresTests;
