using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>The log of the real process, as an operator runs it: JSON lines with their context, and never a secret.</summary>
public sealed class StructuredLogTests
{
    [Fact]
    public async Task A_full_scenario_at_debug_level_logs_json_lines_with_request_trace_and_user_ids_and_no_secret()
    {
        var data = Scratch.NewDirectory("logs");
        try
        {
            using var node = new ApiProcess(new Dictionary<string, string>
            {
                ["Finsoft__DataDirectory"] = data, ["Finsoft__Database__Provider"] = "Sqlite",
                ["Finsoft__Jwt__SigningKey"] = new string('l', 48),
                ["Finsoft__Bootstrap__AdminEmail"] = TestApp.AdminEmail, ["Finsoft__Bootstrap__AdminPassword"] = TestApp.AdminPassword,
                ["Finsoft__Logging__Format"] = "json", ["Finsoft__ShutdownDrainSeconds"] = "0", ["Logging__LogLevel__Default"] = "Debug",
                // Every category appsettings.json quietens, down to each SQL command EF Core sends.
                ["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug", ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Debug",
                ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Debug",
                ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Connection"] = "Debug",
                ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Update"] = "Debug", ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Query"] = "Debug",
            });
            await node.StartAsync();
            using var http = new HttpClient { BaseAddress = node.BaseAddress };
            var api = new ApiClient(http);

            const string password = "a-long-secret-passphrase-42";
            const string card = "4242424242424242";
            var customer = await api.RegisterAsync(password: password);
            var refreshed = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/refresh", new { refresh_token = customer.RefreshToken });
            await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: customer.Token);
            var admin = await api.AdminAsync();
            var wallet = await api.CreateAccountAsync(customer.Token);
            await api.DepositAsync(admin.Token, wallet, "100.00");
            var clabe = Finsoft.Ledger.Clabe.Create("012", "180", "01002029399").Value;
            var destination = await api.VerifiedDestinationAsync(customer.Token);
            await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
                new { origin_account_id = wallet, external_destination_account_id = destination, amount = "10.00" }, customer.Token);
            await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/payments/methods",
                new { type = "card", card = new { number = card, exp_month = 12, exp_year = 2099, cvc = "731", holder_name = "Log Test" } }, customer.Token);
            await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/password",
                new { current_password = password, new_password = "another-long-secret-77" }, customer.Token);
            // Stopped, so the console logger has written everything, the shutdown's own lines included.
            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));

            var lines = node.Output.Where(l => l.Length > 0).ToList();
            Assert.True(lines.Count > 200, $"only {lines.Count} lines:\n{string.Join('\n', lines.Take(30))}");
            var entries = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList(); // every line is one JSON object
            Assert.All(entries, e => Assert.True(e.TryGetProperty("Timestamp", out _) && e.TryGetProperty("LogLevel", out _)
                && e.TryGetProperty("Category", out _) && e.TryGetProperty("Message", out _)));
            Assert.Contains(entries, e => e.TryGetProperty("State", out var state) && state.TryGetProperty("{OriginalFormat}", out _));
            var scopes = entries.Where(e => e.TryGetProperty("Scopes", out _)).SelectMany(e => e.GetProperty("Scopes").EnumerateArray()).ToList();
            Assert.Contains(scopes, s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("RequestId", out _));
            Assert.Contains(scopes, s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out _));
            Assert.Contains(scopes, s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("UserId", out var id) && id.GetString() == customer.UserId.ToString());

            var everything = string.Join('\n', lines);
            foreach (var (secret, what) in new[]
            {
                (password, "password"), ("another-long-secret-77", "new password"), (TestApp.AdminPassword, "admin password"),
                (customer.Token, "access token"), (customer.RefreshToken, "refresh token"), (refreshed.GetProperty("refresh_token").GetString()!, "rotated refresh token"),
                (admin.Token, "admin token"), (card, "card number"), (clabe, "CLABE"),
            })
            {
                Assert.False(everything.Contains(secret, StringComparison.Ordinal), $"the log holds the {what}");
            }
        }
        finally
        {
            Scratch.TryDelete(data);
        }
    }
}
