using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>A signed-in (or anonymous) caller of the API, with helpers for the common set-up steps.</summary>
/// <param name="serverLog">The server's log, when the test runs it: an unexpected 5xx then says what the server logged.</param>
public sealed class ApiClient(HttpClient http, ErrorLog? serverLog = null)
{
    public HttpClient Http { get; } = http;

    public sealed record Session(Guid UserId, string Email, string Password, string Token, string RefreshToken);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? token = null,
        string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? token) => SendAsync(HttpMethod.Get, path, token: token);

    public Task<HttpResponseMessage> PostAsync(string path, object? body, string? token = null, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, path, body, token, idempotencyKey);

    /// <summary>Sends and asserts the status, returning the parsed body.</summary>
    public async Task<JsonElement> ExpectAsync(HttpStatusCode status, HttpMethod method, string path, object? body = null, string? token = null,
        string? idempotencyKey = null)
    {
        using var response = await SendAsync(method, path, body, token, idempotencyKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{method} {path}: expected {(int)status}, got {(int)response.StatusCode}: {text}"
            + ((int)response.StatusCode >= 500 && serverLog is not null ? $"\nserver log:\n{Tail(serverLog.Text)}" : ""));
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Sends and asserts a problem with the status and the error code a client branches on; returns its body.</summary>
    public async Task<JsonElement> RefusedAsync(HttpStatusCode status, string errorCode, HttpMethod method, string path, object? body = null,
        string? token = null, string? idempotencyKey = null)
    {
        var problem = await ExpectAsync(status, method, path, body, token, idempotencyKey);
        Assert.Equal(errorCode, problem.GetProperty("error_code").GetString());
        return problem;
    }

    private static string Tail(string log) => log.Length <= 6_000 ? log : log[^6_000..];

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public async Task<Session> RegisterAsync(string? email = null, string password = "correct-horse-battery", string fullName = "Test User")
    {
        email ??= $"user-{Guid.NewGuid():N}@example.test";
        var user = await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/users",
            new { full_name = fullName, email, password });
        var session = await LoginAsync(email, password);
        Assert.Equal(user.GetProperty("id").GetGuid(), session.UserId);
        return session;
    }

    public async Task<Session> LoginAsync(string email, string password)
    {
        var login = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/login", new { email, password });
        return new Session(login.GetProperty("user").GetProperty("id").GetGuid(), email, password,
            login.GetProperty("token").GetString()!, login.GetProperty("refresh_token").GetString()!);
    }

    public Task<Session> AdminAsync() => LoginAsync(TestApp.AdminEmail, TestApp.AdminPassword);

    /// <summary>An admin creates a user with the given role; the user then signs in.</summary>
    public async Task<Session> CreateUserAsync(string adminToken, string role, string password = "correct-horse-battery")
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.test";
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/admin/users",
            new { full_name = $"A {role}", email, password, role }, adminToken);
        return await LoginAsync(email, password);
    }

    public Task<HttpResponseMessage> LoginRawAsync(string email, string password) =>
        PostAsync("/api/v1/auth/login", new { email, password });

    public async Task<Guid> CreateAccountAsync(string token, string? currency = null)
    {
        object body = currency is null ? new { } : new { currency };
        var account = await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/accounts", body, token);
        return account.GetProperty("id").GetGuid();
    }

    public Task<JsonElement> DepositAsync(string adminToken, Guid account, string amount) =>
        ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/deposit", new { account_id = account, amount }, adminToken);

    public Task<HttpResponseMessage> TransferAsync(string token, Guid from, Guid to, object amount, string? idempotencyKey = null) =>
        PostAsync("/api/v1/transactions/transfer", new { origin_account_id = from, destination_account_id = to, amount, description = "test" }, token, idempotencyKey);

    public async Task<string> BalanceAsync(string token, Guid account)
    {
        var body = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{account}", token: token);
        return body.GetProperty("balance").GetString()!;
    }

    /// <summary>Registers a CLABE destination for the caller and verifies it, ready for withdrawals.</summary>
    public async Task<Guid> VerifiedDestinationAsync(string token, string holder = "Pedro Chan Vargas")
    {
        var clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value;
        var destination = (await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = clabe, friendly_name = "Out", holder_name = holder }, token)).GetProperty("id").GetGuid();
        await ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/destination-accounts/{destination}/verify", token: token);
        return destination;
    }

    public sealed record TransactionStatus(string Status, string FailureReason);

    /// <summary>Polls a transaction until it reaches one of the given statuses (the bank and the workers act asynchronously).</summary>
    public async Task<TransactionStatus> WaitForStatusAsync(string token, Guid id, params string[] final)
    {
        for (var i = 0; i < 200; i++)
        {
            var tx = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/transactions/{id}", token: token);
            var status = tx.GetProperty("status").GetString()!;
            if (final.Contains(status))
            {
                return new TransactionStatus(status, tx.GetProperty("failure_reason").ToString());
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Transaction {id} did not reach {string.Join('/', final)}");
    }

    public async Task<JsonElement> VerifyLedgerAsync()
    {
        var admin = await AdminAsync();
        return await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/ledger/verify", token: admin.Token);
    }

    public static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? error = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.Equal((int)status, body.GetProperty("code").GetInt32());
        if (error is not null)
        {
            Assert.Equal(error, body.GetProperty("error").GetString());
        }
    }
}
