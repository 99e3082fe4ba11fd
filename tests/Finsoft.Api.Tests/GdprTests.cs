using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Finsoft.Api.Features.Gdpr;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>GDPR data-subject requests over HTTP: every move of their status, and exports that hold the person's data and no one else's.</summary>
public abstract class GdprTests(DatabaseKind kind)
{
    private sealed record Person(ApiClient.Session Session, Guid Wallet, string Phone, string Holder, string Note, string Clabe);

    private static async Task<Person> PersonAsync(ApiClient api, string adminToken, string name, string phone, string branch)
    {
        var session = await api.RegisterAsync(fullName: name);
        var wallet = await api.CreateAccountAsync(session.Token);
        await api.DepositAsync(adminToken, wallet, "80.00");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/users/me/profile", new { phone }, session.Token);
        var clabe = Finsoft.Ledger.Clabe.Create("012", branch, "01002029399").Value;
        var holder = $"{name} Holder";
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/destination-accounts",
            new { account_number = clabe, friendly_name = "Mine", holder_name = holder }, session.Token);
        var note = $"note written by {name}";
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/records",
            new { amount = "12.50", currency = "MXN", type = "expense", category = "food", date = "2026-11-20", notes = note }, session.Token);
        return new Person(session, wallet, phone, holder, note, clabe);
    }

    private static async Task<JsonElement> CompletedAsync(ApiClient api, Guid request, string token)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var seen = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{request}", token: token);
            if (seen.GetProperty("status").GetString() == DataRequestStatus.Completed)
            {
                return seen;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"data request {request} did not complete");
    }

    private static async Task<Dictionary<string, string>> UnzipAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var archive = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        return archive.Entries.ToDictionary(e => e.FullName, e => new StreamReader(e.Open(), Encoding.UTF8).ReadToEnd());
    }

    [DbFact]
    public async Task An_access_request_completes_on_its_own_with_the_persons_data_and_no_one_elses()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var ana = await PersonAsync(api, admin.Token, "Ana Export", "+5215511112222", "180");
        var bob = await PersonAsync(api, admin.Token, "Bob Private", "+5215533334444", "190");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = ana.Wallet, destination_account_id = bob.Wallet, amount = "7.00" }, ana.Session.Token);

        var filed = await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests", new { type = "access" }, ana.Session.Token);
        Assert.Equal("received", filed.GetProperty("status").GetString());
        Assert.Equal(filed.GetProperty("created_at").GetDateTime().AddMonths(1), filed.GetProperty("due_at").GetDateTime());
        var id = filed.GetProperty("id").GetGuid();
        var completed = await CompletedAsync(api, id, ana.Session.Token);
        Assert.True(completed.GetProperty("export").GetProperty("bytes").GetInt64() > 0);

        // Only the person downloads it: not another customer, not an admin (who sees the request itself).
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/gdpr/data-requests/{id}", bob.Session.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/gdpr/data-requests/{id}/export", bob.Session.Token), HttpStatusCode.NotFound);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{id}", token: admin.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/gdpr/data-requests/{id}/export", admin.Token), HttpStatusCode.NotFound);

        using var download = await api.GetAsync($"/api/v1/gdpr/data-requests/{id}/export", ana.Session.Token);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var files = await UnzipAsync(download);
        var manifest = JsonDocument.Parse(files["manifest.json"]).RootElement;
        Assert.Equal(id, manifest.GetProperty("request_id").GetGuid());
        Assert.All(manifest.GetProperty("files").EnumerateArray(), f => Assert.True(files.ContainsKey(f.GetString()!)));
        Assert.Contains(ana.Session.Email, files["profile.json"], StringComparison.Ordinal);
        Assert.Equal(ana.Phone, JsonDocument.Parse(files["profile.json"]).RootElement.GetProperty("details").GetProperty("phone").GetString());
        Assert.Contains(ana.Holder, files["destinations.json"], StringComparison.Ordinal);
        Assert.Contains(ana.Clabe, files["destinations.json"], StringComparison.Ordinal);
        Assert.Contains(ana.Note, files["records.json"], StringComparison.Ordinal);
        Assert.Contains("\"7.00\"", files["transactions.json"], StringComparison.Ordinal);
        Assert.Contains(ana.Wallet.ToString(), files["accounts.json"], StringComparison.Ordinal);
        Assert.Contains("gdpr.request_received", files["audit_events.json"], StringComparison.Ordinal);
        var everything = string.Concat(files.Values);
        foreach (var theirs in new[] { bob.Session.Email, bob.Phone[1..] /* JSON writes its '+' escaped */, bob.Holder, bob.Note, bob.Clabe, "Bob Private" })
        {
            Assert.DoesNotContain(theirs, everything, StringComparison.Ordinal);
        }
        var downloads = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=gdpr.export_downloaded", token: admin.Token);
        Assert.Equal(ana.Session.UserId, downloads.EnumerateArray().Single().GetProperty("subject_id").GetGuid());

        // A completed request no longer blocks a new one of its kind; an open one does.
        var second = await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests", new { type = "portability" }, ana.Session.Token);
        await api.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/v1/gdpr/data-requests", new { type = "portability" }, ana.Session.Token);
        await CompletedAsync(api, second.GetProperty("id").GetGuid(), ana.Session.Token);
    }

    [DbFact]
    public async Task Erasure_and_rectification_wait_for_an_admin_who_completes_or_rejects_them()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var ana = await api.RegisterAsync();
        var bob = await api.RegisterAsync();

        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/gdpr/data-requests", new { type = "forget-me" }, ana.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/gdpr/data-requests", new { type = "access", user_id = bob.UserId }, ana.Token),
            HttpStatusCode.Forbidden);
        var rectification = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests",
            new { type = "rectification", details = "My surname is misspelt" }, ana.Token)).GetProperty("id").GetGuid();
        var erasure = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests", new { type = "erasure" }, ana.Token))
            .GetProperty("id").GetGuid();
        // Filed by an admin for someone: the person's, not the admin's.
        var forBob = await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests", new { type = "rectification", user_id = bob.UserId },
            admin.Token);
        Assert.Equal(bob.UserId, forBob.GetProperty("user_id").GetGuid());

        // Nobody but an admin decides; they wait meanwhile.
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/gdpr/data-requests/{rectification}/process", new { }, ana.Token), HttpStatusCode.Forbidden);
        await Task.Delay(1500); // a pass of the worker, which answers only access and portability
        Assert.Equal("received", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{erasure}", token: ana.Token))
            .GetProperty("status").GetString());

        var done = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/gdpr/data-requests/{rectification}/process", new { }, admin.Token);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        await api.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/v1/gdpr/data-requests/{rectification}/process", new { }, admin.Token);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/gdpr/data-requests/{erasure}/reject", new { reason = " " }, admin.Token),
            HttpStatusCode.UnprocessableEntity);
        var rejected = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/gdpr/data-requests/{erasure}/reject",
            new { reason = "Open loan: kept until it is repaid" }, admin.Token);
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("Open loan: kept until it is repaid", rejected.GetProperty("reason").GetString());
        await api.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/v1/gdpr/data-requests/{erasure}/reject", new { reason = "again" }, admin.Token);

        // Each sees its own; an admin sees everyone's and narrows them.
        Assert.Equal(2, (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/gdpr/data-requests", token: ana.Token)).GetArrayLength());
        Assert.Single((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/gdpr/data-requests", token: bob.Token)).EnumerateArray());
        var rejections = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/gdpr/data-requests?status=rejected", token: admin.Token);
        Assert.Equal(erasure, rejections.EnumerateArray().Single().GetProperty("id").GetGuid());
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/gdpr/data-requests?status=lost", admin.Token), HttpStatusCode.UnprocessableEntity);
    }

    [DbFact]
    public async Task An_export_lasts_its_days_and_a_node_that_died_mid_export_leaves_it_to_another()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Gdpr:PollMilliseconds"] = "3600000" },
            services: s => s.AddSingleton<TimeProvider>(clock));
        var api = app.Api();
        var ana = await api.RegisterAsync();
        var processor = app.Services.GetRequiredService<DataRequestProcessor>();
        var id = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests", new { type = "access" }, ana.Token))
            .GetProperty("id").GetGuid();

        // Another node claimed it and died: its lease holds the request until it runs out.
        await app.WithDbAsync(db => db.DataRequests.Where(r => r.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, DataRequestStatus.Processing).SetProperty(r => r.LeaseUntil, clock.GetUtcNow().UtcDateTime.AddMinutes(10))));
        Assert.Equal("processing", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{id}", token: ana.Token))
            .GetProperty("status").GetString());
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/gdpr/data-requests/{id}/export", ana.Token), HttpStatusCode.Conflict);
        Assert.False(await processor.AnswerNextAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(11));
        ana = await api.LoginAsync(ana.Email, ana.Password);
        Assert.True(await processor.AnswerNextAsync(CancellationToken.None));
        Assert.Equal("completed", (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{id}", token: ana.Token))
            .GetProperty("status").GetString());
        using (var download = await api.GetAsync($"/api/v1/gdpr/data-requests/{id}/export", ana.Token))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        // Past its days: gone at once, and the worker then drops the file.
        clock.Advance(TimeSpan.FromDays(8));
        ana = await api.LoginAsync(ana.Email, ana.Password);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/gdpr/data-requests/{id}/export", ana.Token), HttpStatusCode.Gone);
        Assert.False(await processor.AnswerNextAsync(CancellationToken.None));
        Assert.Equal(1, await processor.DropExpiredAsync(CancellationToken.None));
        var seen = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{id}", token: ana.Token);
        Assert.False(seen.TryGetProperty("export", out var _));
    }
}

public sealed class GdprTestsOnSqlite() : GdprTests(DatabaseKind.Sqlite);

public sealed class GdprTestsOnPostgres() : GdprTests(DatabaseKind.Postgres), IPostgresTests;
