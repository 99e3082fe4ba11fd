using System.Net;
using Finsoft.Api.Host;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Tests;

/// <summary>Behaviour the one money path must keep, each found in review of its first version.</summary>
public abstract class MoneyPathRegressionTests(DatabaseKind kind)
{
    [DbFact]
    public async Task A_retried_request_hears_its_first_answer_even_after_what_the_handler_checks_has_moved_on()
    {
        var w = await TwoCustomers.StartAsync(kind, "1000.00", new Dictionary<string, string?> { ["Finsoft:Bank:RejectAll"] = "true" });
        await using var app = w.App;
        var clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value;
        var destination = (await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = clabe, friendly_name = "Rent", holder_name = "Pedro Chan Vargas" }, w.Alice.Token)).GetProperty("id").GetGuid();
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/destination-accounts/{destination}/verify", token: w.Alice.Token);
        var withdrawal = (await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
            new { origin_account_id = w.AliceAccount, external_destination_account_id = destination, amount = "400.00" }, w.Alice.Token)).GetProperty("id").GetGuid();
        await w.Api.WaitForStatusAsync(w.Alice.Token, withdrawal, "FAILED");
        app.Services.GetRequiredService<IOptions<FinsoftOptions>>().Value.Bank.RejectAll = false;

        using var first = await w.Api.PostAsync($"/api/v1/transactions/{withdrawal}/retry", null, w.Alice.Token, "retry-once");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await w.Api.WaitForStatusAsync(w.Alice.Token, withdrawal, "COMPLETED");
        // The withdrawal is no longer FAILED, but the client retrying its request must hear the first answer.
        using var again = await w.Api.PostAsync($"/api/v1/transactions/{withdrawal}/retry", null, w.Alice.Token, "retry-once");
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        // So with a deposit whose wallet was emptied and closed since.
        var spare = await w.Api.CreateAccountAsync(w.Bob.Token);
        using var deposit = await w.Api.PostAsync("/api/v1/transactions/deposit", new { account_id = spare, amount = "5.00" }, w.Admin.Token, "deposit-once");
        Assert.Equal(HttpStatusCode.Created, deposit.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Bob.Token, spare, w.AliceAccount, "5.00")).StatusCode);
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/accounts/{spare}", token: w.Bob.Token);
        using var depositAgain = await w.Api.PostAsync("/api/v1/transactions/deposit", new { account_id = spare, amount = "5.00" }, w.Admin.Token, "deposit-once");
        Assert.Equal(HttpStatusCode.Created, depositAgain.StatusCode);
        Assert.Equal(await deposit.Content.ReadAsStringAsync(), await depositAgain.Content.ReadAsStringAsync());
    }

    [DbFact]
    public async Task Staff_granted_a_wallet_move_money_from_it_as_its_holders_do()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = w.App;
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/admin/users/{w.Admin.UserId}/accounts", new { account_id = w.AliceAccount }, w.Admin.Token);
        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Admin.Token, w.AliceAccount, w.BobAccount, "10.00")).StatusCode);
        Assert.Equal("10.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
    }
}

public sealed class MoneyPathRegressionTestsOnSqlite() : MoneyPathRegressionTests(DatabaseKind.Sqlite);

public sealed class MoneyPathRegressionTestsOnPostgres() : MoneyPathRegressionTests(DatabaseKind.Postgres), IPostgresTests;
