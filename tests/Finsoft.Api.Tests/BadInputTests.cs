using System.Net;
using System.Text;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

public abstract class BadInputTests(DatabaseKind kind)
{
    private static readonly string[] JunkBodies =
    [
        "{", "[]", "null", "\"text\"", "12", "{\"amount\": {\"nested\": 1}}", "{\"origin_account_id\": \"not-a-uuid\"}",
        "{\"amount\": 1e999}", "{\"email\": 5, \"password\": []}", new string('[', 500) + new string(']', 500),
        "{\"account_id\": null, \"amount\": null}", "{\"balance\": \"NaN\"}", "{\"clabe\": 123456789012345678}",
        "{\"currency\": \"\\u0000\"}", "{\"limit\": -1}", "\u00ff\u00fe garbage",
    ];

    private static readonly string[] JunkQueries = ["", "?limit=-1", "?limit=999999999999", "?cursor=%25%25", "?from=yesterday&to=%00", "?type=%27;DROP", "?account_id=zzz", "?currency=12345"];

    [DbFact]
    public async Task Every_endpoint_in_the_openapi_document_answers_junk_without_a_5xx()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync();
        var realAccount = await api.CreateAccountAsync(customer.Token);
        await api.DepositAsync(admin.Token, realAccount, "5.00"); // funded, so the walker's DELETE cannot close it
        var document = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/openapi/v1.json");
        var operations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                foreach (var id in new[] { Guid.NewGuid().ToString(), realAccount.ToString(), "not-a-uuid", "00000000-0000-0000-0000-000000000000" })
                {
                    var url = path.Name.Replace("{id}", id, StringComparison.Ordinal);
                    foreach (var token in new[] { admin.Token, customer.Token, null })
                    {
                        foreach (var query in JunkQueries)
                        {
                            using var response = await api.SendAsync(method, url + query, token: token);
                            Assert.True((int)response.StatusCode < 500, $"{method} {url}{query}: {(int)response.StatusCode}");
                        }
                        foreach (var body in method == HttpMethod.Get ? [] : JunkBodies)
                        {
                            using var response = await api.SendAsync(method, url, body, token, idempotencyKey: Guid.NewGuid().ToString());
                            var text = await response.Content.ReadAsStringAsync();
                            Assert.True((int)response.StatusCode < 500, $"{method} {url} {body[..Math.Min(body.Length, 40)]}: {(int)response.StatusCode} {text}");
                            Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
                            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
                        }
                    }
                }
            }
        }
        Assert.True(operations >= 20, $"only {operations} operations in the document");
        // The walker called logout with these tokens too; sign in again to look.
        customer = await api.LoginAsync(customer.Email, customer.Password);
        Assert.Equal("5.00", await api.BalanceAsync(customer.Token, realAccount));
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task Malformed_json_oversize_bodies_and_wrong_types_are_clear_4xx_problems()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var account = await api.CreateAccountAsync(user.Token);

        var malformed = await api.PostAsync("/api/v1/transactions/transfer", "{\"origin_account_id\": ", user.Token);
        await ApiClient.AssertProblemAsync(malformed, HttpStatusCode.BadRequest);

        var wrongType = await api.PostAsync("/api/v1/transactions/transfer", "{\"origin_account_id\": 42, \"destination_account_id\": \"x\", \"amount\": \"1.00\"}", user.Token);
        await ApiClient.AssertProblemAsync(wrongType, HttpStatusCode.BadRequest);
        var wrongTypeError = (await ApiClient.BodyAsync(wrongType)).GetProperty("error").GetString();
        Assert.True(wrongTypeError!.Contains("origin_account_id", StringComparison.Ordinal), wrongTypeError);

        var huge = "{\"full_name\": \"" + new string('a', 1_100_000) + "\", \"email\": \"big@example.test\", \"password\": \"correct-horse-battery\"}";
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/users", huge), HttpStatusCode.RequestEntityTooLarge);
        var big = app.EmailHash("big@example.test");
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.EmailHash == big)));

        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/accounts/not-a-uuid", user.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Patch, $"/api/v1/accounts/{account}", "{}", user.Token), HttpStatusCode.MethodNotAllowed);

        using var textBody = new HttpRequestMessage(HttpMethod.Post, "/api/v1/accounts") { Content = new StringContent("currency=MXN", Encoding.UTF8, "text/plain") };
        textBody.Headers.Authorization = new("Bearer", user.Token);
        using var unsupported = await api.Http.SendAsync(textBody);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);

        await ApiClient.AssertProblemAsync(await api.TransferAsync(user.Token, account, account, "1.00", new string('k', 300)), HttpStatusCode.BadRequest);
    }

    [DbFact]
    public async Task Health_openapi_and_swagger_are_served()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/health", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/health/ready", null)).StatusCode);
        var swagger = await api.GetAsync("/api/v1/swagger/index.html", null);
        Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);
        var document = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/openapi/v1.json");
        var transfer = document.GetProperty("paths").GetProperty("/api/v1/transactions/transfer").GetProperty("post");
        Assert.True(transfer.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(transfer.GetProperty("responses").TryGetProperty("400", out _));
        Assert.Contains(transfer.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
        var requestBody = JsonSerializer.Serialize(transfer.GetProperty("requestBody"));
        Assert.Contains("#/components/schemas/TransferRequest", requestBody, StringComparison.Ordinal);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("TransferRequest").GetProperty("properties").TryGetProperty("destination_account_id", out _));
        Assert.True(schemas.GetProperty("RegisterRequest").GetProperty("properties").TryGetProperty("full_name", out _));
        Assert.True(schemas.GetProperty("ProblemBody").GetProperty("properties").TryGetProperty("error", out _));
        // Query parameters are snake_case like everything else: a C# name bound as-is ("accountId") would silently ignore "account_id".
        var queryNames = document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject())
            .SelectMany(operation => operation.Value.TryGetProperty("parameters", out var parameters) ? parameters.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).Distinct().ToList();
        Assert.Contains("account_id", queryNames);
        Assert.All(queryNames, name => Assert.Equal(name.ToLowerInvariant(), name));

        // Every operation is named, once, and described; only what anyone may call goes without a token.
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(o => (Path: path.Name, Method: o.Name, Operation: o.Value))).ToList();
        Assert.True(operations.Count > 90);
        var ids = operations.Select(o => o.Operation.GetProperty("operationId").GetString()!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace(o.Operation.GetProperty("summary").GetString())));
        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace(o.Operation.GetProperty("description").GetString())));
        Assert.False(document.TryGetProperty("security", out _));
        var open = operations.Where(o => !o.Operation.TryGetProperty("security", out _)).Select(o => $"{o.Method} {o.Path}").Order().ToList();
        // A provider's event is signed, not sent with a token; a TPP asks for its token with its client id and secret; an external
        // sign-in carries the browser's flow cookie or a link token.
        Assert.Equal(["get /api/v1/auth/oidc/providers", "get /api/v1/auth/oidc/{provider}/complete", "get /api/v1/auth/oidc/{provider}/login",
            "post /api/v1/auth/login", "post /api/v1/auth/mfa/login", "post /api/v1/auth/mfa/sms/send", "post /api/v1/auth/oidc/link", "post /api/v1/auth/refresh",
            "post /api/v1/payments/webhook/{provider}", "post /api/v1/psd2/token", "post /api/v1/users"], open);
        Assert.Equal("transfer", transfer.GetProperty("operationId").GetString());
    }
}

public sealed class BadInputTestsOnSqlite() : BadInputTests(DatabaseKind.Sqlite);

public sealed class BadInputTestsOnPostgres() : BadInputTests(DatabaseKind.Postgres), IPostgresTests;
