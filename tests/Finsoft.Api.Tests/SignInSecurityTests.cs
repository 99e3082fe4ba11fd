using System.Net;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>MFA, lockout, refresh-token reuse, password policy and change, rate limits: over HTTP with real tokens.</summary>
public abstract class SignInSecurityTests(DatabaseKind kind)
{
    /// <summary>The authenticator: codes for steps later than the last one the server accepted, within its ±1 step window.</summary>
    private sealed class Authenticator(string base32)
    {
        private readonly byte[] _secret = Totp.FromBase32(base32);
        private long _last = long.MinValue;

        public string Next()
        {
            var step = Math.Max(_last + 1, Totp.StepAt(DateTimeOffset.UtcNow) - 1);
            Assert.True(step <= Totp.StepAt(DateTimeOffset.UtcNow) + 1, "no fresh code until the clock moves on");
            _last = step;
            return Totp.CodeAt(_secret, step);
        }

        public string Repeat() => Totp.CodeAt(_secret, _last);
    }

    private static async Task<(Authenticator, List<string>)> EnrolAsync(ApiClient api, string token)
    {
        var enrolment = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/enable", new { }, token);
        var secret = enrolment.GetProperty("secret").GetString()!;
        Assert.StartsWith("otpauth://totp/Finsoft:", enrolment.GetProperty("otpauth_uri").GetString(), StringComparison.Ordinal);
        Assert.Contains($"secret={secret}", enrolment.GetProperty("otpauth_uri").GetString(), StringComparison.Ordinal);
        var authenticator = new Authenticator(secret);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/mfa/verify", new { code = "000000" }, token), HttpStatusCode.UnprocessableEntity);
        var enabled = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/verify", new { code = authenticator.Next() }, token);
        var codes = enabled.GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        return (authenticator, codes);
    }

    private static async Task<string> MfaTokenAsync(ApiClient api, ApiClient.Session user)
    {
        var challenge = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/login", new { email = user.Email, password = user.Password });
        Assert.True(challenge.GetProperty("mfa_required").GetBoolean());
        Assert.False(challenge.TryGetProperty("token", out _));
        Assert.False(challenge.TryGetProperty("refresh_token", out _));
        return challenge.GetProperty("mfa_token").GetString()!;
    }

    [DbFact]
    public async Task Mfa_enrolment_login_replay_recovery_codes_and_disable()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var (authenticator, recovery) = await EnrolAsync(api, user.Token);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/mfa/enable", new { }, user.Token), HttpStatusCode.Conflict);
        Assert.True((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: user.Token)).GetProperty("mfa_enabled").GetBoolean());

        var mfaToken = await MfaTokenAsync(api, user);
        // The MFA token is not an access token.
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", mfaToken), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/mfa/login", new { mfa_token = mfaToken, code = "123456" }), HttpStatusCode.Unauthorized);
        var code = authenticator.Next();
        var login = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/login", new { mfa_token = mfaToken, code });
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: login.GetProperty("token").GetString());
        // The same code again, even with a fresh MFA token: refused.
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/mfa/login", new { mfa_token = await MfaTokenAsync(api, user), code }),
            HttpStatusCode.Unauthorized);

        // A recovery code works once, typed in any case.
        var viaRecovery = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/login",
            new { mfa_token = await MfaTokenAsync(api, user), code = recovery[0].ToUpperInvariant() });
        Assert.False(string.IsNullOrEmpty(viaRecovery.GetProperty("refresh_token").GetString()));
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/mfa/login", new { mfa_token = await MfaTokenAsync(api, user), code = recovery[0] }),
            HttpStatusCode.Unauthorized);

        // Off only with a valid code; then the password alone signs in again.
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/mfa/disable", new { code = authenticator.Repeat() }, user.Token),
            HttpStatusCode.UnprocessableEntity);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/disable", new { code = recovery[1] }, user.Token);
        var plain = await api.LoginAsync(user.Email, user.Password);
        Assert.False(string.IsNullOrEmpty(plain.Token));

        var events = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.SubjectId == user.UserId).Select(e => e.Event).ToListAsync());
        Assert.Contains("mfa.enabled", events);
        Assert.Contains("mfa.failed", events);
        Assert.Contains("mfa.recovery_code_used", events);
        Assert.Contains("mfa.disabled", events);
        // Turning it off forgets the secret and the remaining recovery codes.
        var stored = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == user.UserId));
        Assert.Null(stored.MfaSecret);
        Assert.False(await app.WithDbAsync(db => db.MfaRecoveryCodes.AnyAsync(c => c.UserId == user.UserId)));
    }

    [DbFact]
    public async Task A_forged_or_foreign_mfa_token_is_refused()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        // An access token is not an MFA token either.
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/mfa/login", new { mfa_token = user.Token, code = "123456" }), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/mfa/login", new { mfa_token = "x.y.z", code = "123456" }), HttpStatusCode.Unauthorized);
    }

    [DbFact]
    public async Task Lockout_after_five_failures_looks_like_any_other_bad_login_until_it_expires()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var unknown = await (await api.LoginRawAsync("nobody@example.test", "whatever-password-1")).Content.ReadAsStringAsync();
        var wrong = "";
        for (var i = 0; i < 5; i++)
        {
            using var response = await api.LoginRawAsync(user.Email, "not-the-password-1");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            wrong = await response.Content.ReadAsStringAsync();
        }
        using var locked = await api.LoginRawAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        var lockedBody = await locked.Content.ReadAsStringAsync();
        Assert.Equal(unknown, wrong);
        Assert.Equal(unknown, lockedBody);

        var events = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.SubjectId == user.UserId).Select(e => e.Event).ToListAsync());
        Assert.Equal(1, events.Count(e => e == "login.locked_out"));
        Assert.Equal(6, events.Count(e => e == "login.failed"));

        // The lock lapses with time: move it into the past, as the clock would.
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == user.UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockedUntil, DateTime.UtcNow.AddSeconds(-1))
                .SetProperty(u => u.FailureWindowStart, DateTime.UtcNow.AddHours(-1))));
        using (var signedIn = await api.LoginRawAsync(user.Email, user.Password))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            // The lapsed lock is cleared, and the answer does not show it.
            Assert.Equal(JsonValueKind.Null, (await ApiClient.BodyAsync(signedIn)).GetProperty("user").GetProperty("locked_until").ValueKind);
        }
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.Where(u => u.Id == user.UserId).Select(u => u.FailedLogins).SingleAsync()));
    }

    [DbFact]
    public async Task An_admin_unlocks_a_locked_out_user_who_then_signs_in_and_the_unlock_is_audited()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();
        for (var i = 0; i < 5; i++)
        {
            using var failed = await api.LoginRawAsync(user.Email, "not-the-password-1");
        }
        var seen = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/users/{user.UserId}", token: admin.Token);
        Assert.True(seen.GetProperty("locked_until").GetDateTime() > DateTime.UtcNow);
        using (var stillLocked = await api.LoginRawAsync(user.Email, user.Password))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stillLocked.StatusCode);
        }
        // Not the admins' to be called by anyone else.
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Post, $"/api/v1/admin/users/{user.UserId}/unlock", new { }, user.Token),
            HttpStatusCode.Forbidden);
        await ApiClient.AssertProblemAsync(await api.SendAsync(HttpMethod.Post, $"/api/v1/admin/users/{Guid.NewGuid()}/unlock", new { }, admin.Token),
            HttpStatusCode.NotFound);

        var unlocked = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/admin/users/{user.UserId}/unlock", new { }, admin.Token);
        Assert.Equal(JsonValueKind.Null, unlocked.GetProperty("locked_until").ValueKind);
        await api.LoginAsync(user.Email, user.Password);
        // Unlocking someone not locked records nothing more.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/admin/users/{user.UserId}/unlock", new { }, admin.Token);
        var unlocks = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.SubjectId == user.UserId && e.Event == "user.unlocked").ToListAsync());
        Assert.Equal(admin.UserId, Assert.Single(unlocks).ActorId);
    }

    [DbFact]
    public async Task Concurrent_failures_all_count_and_lock_once()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => api.LoginRawAsync(user.Email, "not-the-password-1")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        var row = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == user.UserId));
        Assert.True(row.LockedUntil > DateTime.UtcNow);
        // Every attempt is recorded; each one that found the user not yet locked was counted, and no count was lost.
        var failures = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.SubjectId == user.UserId && e.Event == "login.failed")
            .Select(e => e.Details!).ToListAsync());
        Assert.Equal(12, failures.Count);
        Assert.Equal(failures.Count(d => d.Contains("wrong_password", StringComparison.Ordinal)), row.FailedLogins);
        Assert.True(row.FailedLogins >= 5);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.SubjectId == user.UserId && e.Event == "login.locked_out")));
    }

    [DbFact]
    public async Task Reusing_a_spent_refresh_token_revokes_the_whole_family_and_is_recorded()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var other = await api.LoginAsync(user.Email, user.Password); // another device: another family
        var first = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/refresh", new { refresh_token = user.RefreshToken });
        var second = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/refresh", new { refresh_token = first.GetProperty("refresh_token").GetString() });

        // The first token again, as a thief holding a copy would present it.
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/refresh", new { refresh_token = user.RefreshToken }), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", second.GetProperty("token").GetString()), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/refresh", new { refresh_token = second.GetProperty("refresh_token").GetString() }),
            HttpStatusCode.Unauthorized);
        // The other family is untouched.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: other.Token);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.SubjectId == user.UserId && e.Event == "token.family_revoked")));
    }

    [DbFact]
    public async Task Password_policy_applies_to_registration_and_change_and_a_change_ends_other_sessions()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        foreach (var (password, why) in new[]
        {
            ("short-pass", "length"), ("Password1234!", "common"), ("p@ssw0rdp@ssw0rd", "common"), ("123456789012", "run"),
            ("aaaaaaaaaaaaaa", "repeat"), ("mariana.lopez-secret", "email"),
        })
        {
            using var response = await api.PostAsync("/api/v1/users", new { full_name = "M", email = "mariana.lopez@example.test", password });
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{password} ({why}) was accepted");
        }
        var user = await api.RegisterAsync("mariana.lopez@example.test");
        var other = await api.LoginAsync(user.Email, user.Password);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/password",
            new { current_password = "not-the-password-1", new_password = "a-much-better-phrase-7" }, user.Token), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.PostAsync("/api/v1/auth/password",
            new { current_password = user.Password, new_password = "Qwerty123456" }, user.Token), HttpStatusCode.UnprocessableEntity);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/password",
            new { current_password = user.Password, new_password = "a-much-better-phrase-7" }, user.Token);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: user.Token);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", other.Token), HttpStatusCode.Unauthorized);
        await ApiClient.AssertProblemAsync(await api.LoginRawAsync(user.Email, user.Password), HttpStatusCode.Unauthorized);
        await api.LoginAsync(user.Email, "a-much-better-phrase-7");
    }

    [DbFact]
    public async Task Rate_limits_answer_429_with_retry_after()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Finsoft:RateLimit:Enabled"] = "true", ["Finsoft:RateLimit:AuthPerMinute"] = "3", ["Finsoft:RateLimit:UserPerSecond"] = "5",
        });
        var api = app.Api();
        var admin = await api.AdminAsync(); // 1 of 3
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await api.LoginRawAsync("nobody@example.test", "whatever-password-1");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(int.Parse(response.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
                await ApiClient.AssertProblemAsync(response, HttpStatusCode.TooManyRequests);
            }
        }
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);

        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => api.GetAsync("/api/v1/auth/me", admin.Token)));
        Assert.InRange(burst.Count(r => r.StatusCode == HttpStatusCode.OK), 5, 10); // a window may turn over mid-burst
        var limited = burst.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}

public sealed class SignInSecurityTestsOnSqlite() : SignInSecurityTests(DatabaseKind.Sqlite);

public sealed class SignInSecurityTestsOnPostgres() : SignInSecurityTests(DatabaseKind.Postgres), IPostgresTests;
