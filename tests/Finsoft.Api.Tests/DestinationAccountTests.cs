using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Ledger;

namespace Finsoft.Api.Tests;

public abstract class DestinationAccountTests(DatabaseKind kind)
{
    private static readonly string BbvaClabe = Clabe.Create("012", "180", "01002029399").Value;

    [DbFact]
    public async Task A_destination_is_named_by_its_bank_and_starts_unverified()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var created = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = BbvaClabe, friendly_name = "Miguel", holder_name = "Pedro Chan Vargas" }, user.Token);
        Assert.Equal("012", created.GetProperty("bank_code").GetString());
        Assert.Equal("BBVA Bancomer", created.GetProperty("bank_name").GetString());
        Assert.Equal("Pedro Chan Vargas", created.GetProperty("holder_full_name").GetString());
        Assert.Equal("unverified", created.GetProperty("verification_status").GetString());
        var id = created.GetProperty("id").GetGuid();

        var verified = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/destination-accounts/{id}/verify", token: user.Token);
        Assert.Equal("verified", verified.GetProperty("verification_status").GetString());
        var list = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/destination-accounts", token: user.Token);
        Assert.Equal(id, list.EnumerateArray().Single().GetProperty("id").GetGuid());
    }

    [DbFact]
    public async Task Duplicates_invalid_numbers_and_other_users_ids_are_refused()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var stranger = await api.RegisterAsync();
        var body = new { account_number = BbvaClabe, friendly_name = "Miguel", holder_name = "Pedro" };
        var id = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts", body, user.Token)).GetProperty("id").GetGuid();
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/destination-accounts", body, user.Token), HttpStatusCode.Conflict);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/destination-accounts",
            new { account_number = "01002029399393", friendly_name = "x", holder_name = "y" }, user.Token), HttpStatusCode.UnprocessableEntity);
        foreach (var (method, path) in new[] { (HttpMethod.Get, $"/api/v1/destination-accounts/{id}"), (HttpMethod.Delete, $"/api/v1/destination-accounts/{id}"), (HttpMethod.Put, $"/api/v1/destination-accounts/{id}/verify") })
        {
            await ApiClient.AssertProblemAsync(await api.SendAsync(method, path, token: stranger.Token), HttpStatusCode.NotFound);
        }
        var deleted = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/destination-accounts/{id}", token: user.Token);
        Assert.Equal("Ok", deleted.GetProperty("status").GetString());
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/destination-accounts/{id}", user.Token), HttpStatusCode.NotFound);
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts", body, user.Token);
    }
}

public sealed class DestinationAccountTestsOnSqlite() : DestinationAccountTests(DatabaseKind.Sqlite);

public sealed class DestinationAccountTestsOnPostgres() : DestinationAccountTests(DatabaseKind.Postgres), IPostgresTests;
