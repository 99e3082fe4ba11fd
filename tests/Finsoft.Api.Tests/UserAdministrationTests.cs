using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>User administration, deactivation, the last-admin rule, mass assignment, profiles, joint holders and the audit trail.</summary>
public abstract class UserAdministrationTests(DatabaseKind kind)
{
    [DbFact]
    public async Task Admins_create_search_and_page_users()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/admin/users",
            new { full_name = "Ana Lista", email = "ana@example.test", password = "correct-horse-battery", role = "analyst" }, admin.Token);
        Assert.Equal("analyst", analyst.GetProperty("role").GetString());
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/admin/users",
            new { full_name = "X", email = "x@example.test", password = "correct-horse-battery", role = "root" }, admin.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/admin/users",
            new { full_name = "X", email = "ANA@example.test", password = "correct-horse-battery", role = "viewer" }, admin.Token), HttpStatusCode.Conflict);
        for (var i = 0; i < 3; i++)
        {
            await api.RegisterAsync($"page-{i}@example.test");
        }
        var found = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/users?search=LISTA", token: admin.Token);
        Assert.Equal("ana@example.test", Assert.Single(found.EnumerateArray()).GetProperty("email").GetString());
        var seen = new List<string>();
        var next = "/api/v1/admin/users?role=customer&limit=2";
        while (next is not null)
        {
            using var page = await api.GetAsync(next, admin.Token);
            seen.AddRange((await ApiClient.BodyAsync(page)).EnumerateArray().Select(u => u.GetProperty("email").GetString()!));
            next = page.Headers.TryGetValues("Link", out var link) ? link.Single().Split('<', '>')[1] : null;
        }
        Assert.Equal(["page-0@example.test", "page-1@example.test", "page-2@example.test"], seen.Order());
    }

    [DbFact]
    public async Task Deactivation_and_role_changes_take_effect_on_live_tokens_at_once()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/v1/admin/users/{user.UserId}", new { role = "viewer" }, admin.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", user.Token), HttpStatusCode.Unauthorized);
        var asViewer = await api.LoginAsync(user.Email, user.Password);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/accounts", new { }, asViewer.Token), HttpStatusCode.Forbidden);

        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/v1/admin/users/{user.UserId}", new { is_active = false }, admin.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", asViewer.Token), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.LoginRawAsync(user.Email, user.Password), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/refresh", new { refresh_token = asViewer.RefreshToken }), HttpStatusCode.Unauthorized);
        // Reactivation lets the user sign in again, but does not revive the old sessions.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/v1/admin/users/{user.UserId}", new { is_active = true }, admin.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", asViewer.Token), HttpStatusCode.Unauthorized);
        await api.LoginAsync(user.Email, user.Password);

        var events = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.SubjectId == user.UserId && e.ActorId == admin.UserId)
            .Select(e => e.Event).ToListAsync());
        Assert.Equal(["user.role_changed", "user.status_changed", "user.status_changed"], events.Order());
    }

    [DbFact]
    public async Task The_last_active_admin_cannot_be_demoted_deactivated_or_deleted_even_by_racing_admins()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        foreach (var change in new object[] { new { role = "analyst" }, new { is_active = false } })
        {
            await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Patch, $"/api/v1/admin/users/{admin.UserId}", change, admin.Token), HttpStatusCode.Conflict);
        }
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Delete, $"/api/v1/admin/users/{admin.UserId}", token: admin.Token), HttpStatusCode.Conflict);

        // Two admins demote each other at the same moment: one must lose.
        var second = await api.CreateUserAsync(admin.Token, "admin");
        var results = await Task.WhenAll(
            api.SendAsync(HttpMethod.Patch, $"/api/v1/admin/users/{second.UserId}", new { role = "customer" }, admin.Token),
            api.SendAsync(HttpMethod.Patch, $"/api/v1/admin/users/{admin.UserId}", new { role = "customer" }, second.Token));
        // The loser gets 409, or 401 when its own demotion committed before its request was authenticated.
        Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Contains(results.Single(r => r.StatusCode != HttpStatusCode.OK).StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.Unauthorized });
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync(u => u.Role == "admin" && u.IsActive && u.DeletedAt == null)));
    }

    [DbFact]
    public async Task Soft_deleted_users_cannot_sign_in_and_their_row_stays()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/admin/users/{user.UserId}", token: admin.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", user.Token), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.LoginRawAsync(user.Email, user.Password), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/admin/users/{user.UserId}", admin.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Delete, $"/api/v1/admin/users/{user.UserId}", token: admin.Token), HttpStatusCode.NotFound);
        var row = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == user.UserId));
        Assert.NotNull(row.DeletedAt);
    }

    [DbFact]
    public async Task Fields_a_caller_may_not_set_are_refused_not_ignored()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();
        var attempts = new (HttpMethod, string, object, string)[]
        {
            (HttpMethod.Put, "/api/v1/users/me/profile", new { company = "ACME", user_id = admin.UserId }, user.Token),
            (HttpMethod.Put, "/api/v1/users/me/profile", new { company = "ACME", role = "admin" }, user.Token),
            (HttpMethod.Patch, $"/api/v1/admin/users/{user.UserId}", new { email = "new@example.test" }, admin.Token),
            (HttpMethod.Patch, $"/api/v1/admin/users/{user.UserId}", new { role = "analyst", password_hash = "x" }, admin.Token),
            (HttpMethod.Post, "/api/v1/auth/mfa/verify", new { code = "123456", mfa_enabled = true }, user.Token),
            (HttpMethod.Post, "/api/v1/admin/users", new { full_name = "X", email = "x@example.test", password = "correct-horse-battery", role = "viewer", is_active = false }, admin.Token),
        };
        foreach (var (method, path, body, token) in attempts)
        {
            await ApiClient.AssertProblemAsync(await api.SendAsync(method, path, body, token), HttpStatusCode.BadRequest);
        }
        var row = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == user.UserId));
        Assert.Equal("customer", row.Role);
        Assert.False(await app.WithDbAsync(db => db.UserProfiles.AnyAsync()));
    }

    [DbFact]
    public async Task Profiles_validate_cuit_and_phone_and_keep_cuits_unique()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();
        var other = await api.RegisterAsync();
        var empty = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/users/me/profile", token: user.Token);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, empty.GetProperty("cuit").ValueKind);

        var bad = await api.SendAsync(HttpMethod.Put, "/api/v1/users/me/profile", new { cuit = "20-12345678-0", phone = "5491123456789" }, user.Token);
        await ApiClient.AssertProblemAsync(bad, HttpStatusCode.UnprocessableEntity);
        var errors = (await ApiClient.BodyAsync(bad)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("cuit", out _) && errors.TryGetProperty("phone", out _));

        var saved = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/users/me/profile",
            new { cuit = "20123456786", phone = "+54 9 11 2345-6789", company = "Alma SRL" }, user.Token);
        Assert.Equal("20-12345678-6", saved.GetProperty("cuit").GetString());
        Assert.Equal("+5491123456789", saved.GetProperty("phone").GetString());
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Put, "/api/v1/users/me/profile", new { cuit = "20-12345678-6" }, other.Token),
            HttpStatusCode.Conflict);

        var seenByAdmin = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/users/{user.UserId}/profile", token: admin.Token);
        Assert.Equal("Alma SRL", seenByAdmin.GetProperty("company").GetString());
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/admin/users/{other.UserId}/profile", new { cuit = "30-50001091-2" }, admin.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/admin/users/{Guid.NewGuid()}/profile", admin.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/admin/users/{other.UserId}/profile", user.Token), HttpStatusCode.Forbidden);
    }

    [DbFact]
    public async Task A_joint_holder_uses_a_granted_account_as_its_own_until_access_is_revoked()
    {
        var world = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = world.App;
        var api = world.Api;
        // Bob cannot touch Alice's account yet.
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/accounts/{world.AliceAccount}", world.Bob.Token), HttpStatusCode.NotFound);
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/admin/users/{world.Bob.UserId}/accounts",
            new { account_id = world.AliceAccount }, world.Admin.Token);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/admin/users/{world.Bob.UserId}/accounts",
            new { account_id = world.AliceAccount }, world.Admin.Token), HttpStatusCode.Conflict);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/admin/users/{world.Alice.UserId}/accounts",
            new { account_id = world.AliceAccount }, world.Admin.Token), HttpStatusCode.Conflict);

        var mine = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/accounts", token: world.Bob.Token);
        Assert.Contains(mine.EnumerateArray(), a => a.GetProperty("id").GetGuid() == world.AliceAccount);
        Assert.Equal("100.00", await api.BalanceAsync(world.Bob.Token, world.AliceAccount));
        var moved = await api.TransferAsync(world.Bob.Token, world.AliceAccount, world.BobAccount, "30.00");
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);
        var batch = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/transactions/batch", new
        {
            transfers = new[] { new { origin_account_id = world.AliceAccount, destination_account_id = world.BobAccount, amount = "5.00" } },
        }, world.Bob.Token);
        Assert.Equal(1, batch.GetProperty("succeeded").GetInt32());

        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/admin/users/{world.Bob.UserId}/accounts/{world.AliceAccount}", token: world.Admin.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/accounts/{world.AliceAccount}", world.Bob.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await api.TransferAsync(world.Bob.Token, world.AliceAccount, world.BobAccount, "1.00"), HttpStatusCode.NotFound);
        Assert.Equal("65.00", await api.BalanceAsync(world.Alice.Token, world.AliceAccount));
        var events = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.SubjectId == world.Bob.UserId).Select(e => e.Event).ToListAsync());
        Assert.Contains("account.access_granted", events);
        Assert.Contains("account.access_revoked", events);
    }

    [DbFact]
    public async Task The_audit_trail_is_filtered_by_admins_and_the_database_refuses_to_rewrite_it()
    {
        var world = await TwoCustomers.StartAsync(kind, "10.00");
        await using var app = world.App;
        var api = world.Api;
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{world.AliceAccount}", new { balance = "12.00" }, world.Admin.Token);
        await ApiClient.AssertProblemAsync(await api.LoginRawAsync(world.Alice.Email, "not-the-password-1"), HttpStatusCode.Unauthorized);

        var adjusted = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/admin/audit?event=account.balance_adjusted", token: world.Admin.Token);
        var adjustment = Assert.Single(adjusted.EnumerateArray());
        Assert.Equal(world.Admin.UserId, adjustment.GetProperty("actor_id").GetGuid());
        Assert.Equal(world.Alice.UserId, adjustment.GetProperty("subject_id").GetGuid());
        Assert.Equal("12.00", adjustment.GetProperty("details").GetProperty("to").GetString());
        Assert.False(string.IsNullOrEmpty(adjustment.GetProperty("request_id").GetString()));
        var aboutAlice = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/audit?user_id={world.Alice.UserId}", token: world.Admin.Token);
        Assert.All(aboutAlice.EnumerateArray(), e => Assert.Contains(world.Alice.UserId.ToString(), e.GetProperty("actor_id") + "|" + e.GetProperty("subject_id"), StringComparison.Ordinal));
        Assert.Contains(aboutAlice.EnumerateArray(), e => e.GetProperty("event").GetString() == "login.failed");
        Assert.Contains(aboutAlice.EnumerateArray(), e => e.GetProperty("event").GetString() == "login.succeeded");
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/admin/audit?event=nope", world.Admin.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/admin/audit", world.Alice.Token), HttpStatusCode.Forbidden);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Delete, "/api/v1/admin/audit", token: world.Admin.Token), HttpStatusCode.MethodNotAllowed);

        foreach (var sql in new[] { "UPDATE audit_events SET event = 'nothing'", "DELETE FROM audit_events" })
        {
            var refused = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
            Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);
        }
    }
}

public sealed class UserAdministrationTestsOnSqlite() : UserAdministrationTests(DatabaseKind.Sqlite);

public sealed class UserAdministrationTestsOnPostgres() : UserAdministrationTests(DatabaseKind.Postgres), IPostgresTests;
