using System.Net;
using Finsoft.Api.MoneyPath.Settlement;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

public abstract class WithdrawalTests(DatabaseKind kind)
{
    private static readonly string Clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value;

    private static async Task<(ApiClient Api, ApiClient.Session User, Guid Account, Guid Destination)> PrepareAsync(TestApp app, bool verify = true)
    {
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var account = await api.CreateAccountAsync(user.Token);
        await api.DepositAsync(admin.Token, account, "1000.00");
        var destination = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = Clabe, friendly_name = "Miguel", holder_name = "Pedro Chan Vargas" }, user.Token)).GetProperty("id").GetGuid();
        if (verify)
        {
            await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/destination-accounts/{destination}/verify", token: user.Token);
        }
        return (api, user, account, destination);
    }

    private static Task<HttpResponseMessage> WithdrawAsync(ApiClient api, string token, Guid account, Guid destination, string amount, string? key = null) =>
        api.PostAsync("/api/v1/transactions/withdrawal",
            new { origin_account_id = account, external_destination_account_id = destination, amount, description = "rent" }, token, key);


    [DbFact]
    public async Task A_withdrawal_holds_the_funds_then_settles_through_the_bank()
    {
        await using var app = await TestApp.StartAsync(kind);
        var (api, user, account, destination) = await PrepareAsync(app);
        using var response = await WithdrawAsync(api, user.Token, account, destination, "400.00");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await ApiClient.BodyAsync(response);
        Assert.Equal("WITHDRAWAL", body.GetProperty("transaction_type").GetString());
        Assert.Equal("PENDING", body.GetProperty("status").GetString());
        Assert.Equal("600.00", body.GetProperty("origin_account").GetProperty("available_balance").GetString());
        Assert.Equal("012", body.GetProperty("destination_external_account").GetProperty("bank_code").GetString());

        var id = body.GetProperty("id").GetGuid();
        Assert.Equal("COMPLETED", (await api.WaitForStatusAsync(user.Token, id, "COMPLETED", "FAILED")).Status);
        var after = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{account}", token: user.Token);
        Assert.Equal("600.00", after.GetProperty("balance").GetString());
        Assert.Equal("0.00", after.GetProperty("held").GetString());
        Assert.Equal(1, await app.WithDbAsync(db => db.SimulatedPayouts.CountAsync(p => p.Reference == id)));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Held_funds_cannot_be_spent_twice()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Bank:SettlementDelayMilliseconds"] = "60000" });
        var (api, user, account, destination) = await PrepareAsync(app);
        Assert.Equal(HttpStatusCode.Accepted, (await WithdrawAsync(api, user.Token, account, destination, "700.00")).StatusCode);
        var other = await api.CreateAccountAsync(user.Token);
        await ApiClient.AssertProblemAsync(await api.TransferAsync(user.Token, account, other, "300.01"), HttpStatusCode.BadRequest, "Insufficient balance in origin account");
        await ApiClient.AssertProblemAsync(await WithdrawAsync(api, user.Token, account, destination, "300.01"), HttpStatusCode.BadRequest);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Delete, $"/api/v1/accounts/{account}", token: user.Token), HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(user.Token, account, other, "300.00")).StatusCode);
    }

    [DbFact]
    public async Task Repeated_and_conflicting_bank_callbacks_take_effect_exactly_once()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Bank:SettlementDelayMilliseconds"] = "600000" });
        var (api, user, account, destination) = await PrepareAsync(app);
        var id = (await ApiClient.BodyAsync(await WithdrawAsync(api, user.Token, account, destination, "100.00"))).GetProperty("id").GetGuid();
        await api.WaitForStatusAsync(user.Token, id, "PROCESSING");

        // The bank answers seven times at once, and not even consistently.
        await Task.WhenAll(Enumerable.Range(0, 7).Select(async i =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var outcomes = scope.ServiceProvider.GetRequiredService<IPayoutOutcomes>();
            await (i % 3 == 2 ? outcomes.RejectedAsync(id, "late rejection", CancellationToken.None) : outcomes.SettledAsync(id, CancellationToken.None));
        }));

        var status = (await api.WaitForStatusAsync(user.Token, id, "COMPLETED", "FAILED")).Status;
        var after = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{account}", token: user.Token);
        Assert.Equal(status == "COMPLETED" ? "900.00" : "1000.00", after.GetProperty("balance").GetString());
        Assert.Equal("0.00", after.GetProperty("held").GetString());
        Assert.Equal(status == "COMPLETED" ? 1 : 0, await app.WithDbAsync(db => db.JournalEntries.CountAsync(e => e.TransactionId == id)));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_rejected_withdrawal_fails_and_releases_the_hold()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Bank:RejectAll"] = "true" });
        var (api, user, account, destination) = await PrepareAsync(app);
        var id = (await ApiClient.BodyAsync(await WithdrawAsync(api, user.Token, account, destination, "250.00"))).GetProperty("id").GetGuid();
        var outcome = await api.WaitForStatusAsync(user.Token, id, "COMPLETED", "FAILED");
        Assert.Equal("FAILED", outcome.Status);
        Assert.Contains("Rejected", outcome.FailureReason, StringComparison.Ordinal);
        var after = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{account}", token: user.Token);
        Assert.Equal("1000.00", after.GetProperty("available_balance").GetString());
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Unverified_foreign_and_unknown_destinations_are_refused()
    {
        await using var app = await TestApp.StartAsync(kind);
        var (api, user, account, destination) = await PrepareAsync(app, verify: false);
        await ApiClient.AssertProblemAsync(await WithdrawAsync(api, user.Token, account, destination, "1.00"), HttpStatusCode.UnprocessableEntity, "Destination account is not verified");
        var stranger = await api.RegisterAsync();
        var strangerAccount = await api.CreateAccountAsync(stranger.Token);
        await ApiClient.AssertProblemAsync(await WithdrawAsync(api, stranger.Token, strangerAccount, destination, "1.00"), HttpStatusCode.NotFound, "Destination account not found");
        await ApiClient.AssertProblemAsync(await WithdrawAsync(api, user.Token, Guid.NewGuid(), destination, "1.00"), HttpStatusCode.NotFound, "Origin account not found");
        Assert.Equal(0, await app.WithDbAsync(db => db.Transactions.CountAsync(t => t.Type == "WITHDRAWAL")));
    }

    [DbFact]
    public async Task A_withdrawal_in_flight_survives_a_restart_and_is_paid_once()
    {
        await using var first = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Bank:SettlementDelayMilliseconds"] = "400" });
        var (api, user, account, destination) = await PrepareAsync(first);
        var id = (await ApiClient.BodyAsync(await WithdrawAsync(api, user.Token, account, destination, "100.00"))).GetProperty("id").GetGuid();
        // Simulate a process that died after claiming the withdrawal but before the bank heard of it.
        await first.WithDbAsync(db => db.Transactions.Where(t => t.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, "PROCESSING")));
        await first.WithDbAsync(db => db.SimulatedPayouts.Where(p => p.Reference == id).ExecuteDeleteAsync());
        await using var restarted = await first.RestartAsync();
        var restartedApi = restarted.Api();
        Assert.Equal("COMPLETED", (await restartedApi.WaitForStatusAsync(user.Token, id, "COMPLETED", "FAILED")).Status);
        Assert.Equal("900.00", await restartedApi.BalanceAsync(user.Token, account));
        Assert.Equal(1, await restarted.WithDbAsync(db => db.SimulatedPayouts.CountAsync(p => p.Reference == id)));
        Assert.Equal(1, await restarted.WithDbAsync(db => db.JournalEntries.CountAsync(e => e.TransactionId == id)));
        Assert.True((await restartedApi.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }
}

public sealed class WithdrawalTestsOnSqlite() : WithdrawalTests(DatabaseKind.Sqlite);

public sealed class WithdrawalTestsOnPostgres() : WithdrawalTests(DatabaseKind.Postgres), IPostgresTests;
