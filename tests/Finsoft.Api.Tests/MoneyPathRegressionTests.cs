using System.Net;
using System.Text.Json;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Settlement;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.EntityFrameworkCore;
using Finsoft.Ledger;
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
        var destination = await w.Api.VerifiedDestinationAsync(w.Alice.Token);
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

    [DbFact]
    public async Task A_joint_holder_whose_grant_was_revoked_can_no_longer_capture_the_hold_it_placed()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = w.App;
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/admin/users/{w.Bob.UserId}/accounts", new { account_id = w.AliceAccount }, w.Admin.Token);
        var hold = (await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = w.AliceAccount, destination_account_id = w.BobAccount, amount = "30.00", hold = true }, w.Bob.Token)).GetProperty("id").GetGuid();
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/admin/users/{w.Bob.UserId}/accounts/{w.AliceAccount}", token: w.Admin.Token);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{hold}/capture", new { }, w.Bob.Token), HttpStatusCode.NotFound);
        Assert.Equal("0.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/transactions/{hold}/void", null, w.Admin.Token);
    }

    [DbFact]
    public async Task A_revoked_joint_holder_cannot_retry_a_withdrawal_it_made_from_the_wallet()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00", new Dictionary<string, string?> { ["Finsoft:Bank:RejectAll"] = "true" });
        await using var app = w.App;
        await w.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/admin/users/{w.Bob.UserId}/accounts", new { account_id = w.AliceAccount }, w.Admin.Token);
        var destination = await w.Api.VerifiedDestinationAsync(w.Bob.Token);
        var withdrawal = (await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
            new { origin_account_id = w.AliceAccount, external_destination_account_id = destination, amount = "40.00" }, w.Bob.Token)).GetProperty("id").GetGuid();
        await w.Api.WaitForStatusAsync(w.Bob.Token, withdrawal, "FAILED");
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/admin/users/{w.Bob.UserId}/accounts/{w.AliceAccount}", token: w.Admin.Token);
        await ApiClient.AssertProblemAsync(await w.Api.PostAsync($"/api/v1/transactions/{withdrawal}/retry", null, w.Bob.Token), HttpStatusCode.NotFound);
        var alice = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{w.AliceAccount}", token: w.Alice.Token);
        Assert.Equal("100.00", alice.GetProperty("available_balance").GetString()); // nothing held again for Bob
    }

    [DbFact]
    public async Task A_bank_answer_the_ledger_refuses_is_not_dropped_but_left_for_the_bank_to_send_again()
    {
        // The workers stay idle, so the test plays the bank.
        var w = await TwoCustomers.StartAsync(kind, "100.00", new Dictionary<string, string?> { ["Finsoft:Bank:PollMilliseconds"] = "3600000" });
        await using var app = w.App;
        var destination = await w.Api.VerifiedDestinationAsync(w.Alice.Token);
        var withdrawal = (await w.Api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
            new { origin_account_id = w.AliceAccount, external_destination_account_id = destination, amount = "40.00" }, w.Alice.Token)).GetProperty("id").GetGuid();
        var settlement = SystemAccounts.Id(SystemAccounts.BankSettlement, Currency.Get("MXN"));
        await app.WithDbAsync(async db =>
        {
            await db.Transactions.Where(t => t.Id == withdrawal).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, "PROCESSING"));
            // A floor the settlement account cannot go below (its whole balance): the ledger must refuse the payout's booking.
            return await db.Accounts.Where(a => a.Id == settlement).ExecuteUpdateAsync(s => s.SetProperty(a => a.BalanceFloor, a => a.Balance));
        });
        await using var scope = app.Services.CreateAsyncScope();
        var outcomes = scope.ServiceProvider.GetRequiredService<IPayoutOutcomes>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => outcomes.SettledAsync(withdrawal, CancellationToken.None));
        Assert.Equal("PROCESSING", (await w.Api.WaitForStatusAsync(w.Alice.Token, withdrawal, "PROCESSING")).Status);
        // Once the books allow it, the bank's repeated answer settles it, once.
        await app.WithDbAsync(db => db.Accounts.Where(a => a.Id == settlement).ExecuteUpdateAsync(s => s.SetProperty(a => a.BalanceFloor, (long?)null)));
        await outcomes.SettledAsync(withdrawal, CancellationToken.None);
        await outcomes.SettledAsync(withdrawal, CancellationToken.None);
        Assert.Equal("60.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));
    }

    [DbFact]
    public async Task A_floor_lowered_and_spent_down_to_in_one_batch_is_written_with_the_balance()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = w.App;
        await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{w.AliceAccount}/limits", new { minimum_balance = "50.00" }, w.Admin.Token);
        var admin = new CurrentUser(w.Admin.UserId, Roles.Admin, Guid.Empty);
        var commands = new MoneyCommand[] { new MoneyCommand.SetFloor(w.AliceAccount, 0), new MoneyCommand.Transfer(w.AliceAccount, w.BobAccount, new Money(10_000, Currency.Get("MXN"))) };
        var outcomes = new MoneyOutcome?[commands.Length];
        var orders = commands.Select((command, i) => new MoneyOrder(command, outcome =>
        {
            outcomes[i] = outcome;
            return global::Finsoft.Api.Infrastructure.Http.ApiResults.Ok(new { });
        }) { Initiator = admin }).ToList();
        // One job, so one batch: before, the floor was written after the balances and the CHECK refused the batch.
        await app.Services.GetRequiredService<MoneyEngine>().SubmitAsync(new EngineJob(orders, atomic: true), CancellationToken.None);
        Assert.All(outcomes, o => Assert.IsType<MoneyOutcome.Made>(o));
        Assert.Equal("0.00", await w.Api.BalanceAsync(w.Alice.Token, w.AliceAccount));
        Assert.Equal("100.00", await w.Api.BalanceAsync(w.Bob.Token, w.BobAccount));
        var limits = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{w.AliceAccount}/limits", token: w.Alice.Token);
        Assert.True(!limits.TryGetProperty("minimum_balance", out var minimum) || minimum.ValueKind == JsonValueKind.Null, limits.GetRawText());
    }
}

public sealed class MoneyPathRegressionTestsOnSqlite() : MoneyPathRegressionTests(DatabaseKind.Sqlite);

public sealed class MoneyPathRegressionTestsOnPostgres() : MoneyPathRegressionTests(DatabaseKind.Postgres), IPostgresTests;
