namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>A started app with two customers, Alice and Bob, one MXN wallet each, Alice's funded by a deposit; and the admin.</summary>
public sealed record TwoCustomers(TestApp App, ApiClient Api, ApiClient.Session Alice, ApiClient.Session Bob, ApiClient.Session Admin,
    Guid AliceAccount, Guid BobAccount)
{
    public static async Task<TwoCustomers> StartAsync(DatabaseKind kind, string aliceOpening, IDictionary<string, string?>? settings = null,
        bool overKestrel = false)
    {
        var app = await TestApp.StartAsync(kind, settings, overKestrel);
        var api = app.Api();
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var aliceAccount = await api.CreateAccountAsync(alice.Token);
        var bobAccount = await api.CreateAccountAsync(bob.Token);
        await api.DepositAsync(admin.Token, aliceAccount, aliceOpening);
        return new TwoCustomers(app, api, alice, bob, admin, aliceAccount, bobAccount);
    }
}
