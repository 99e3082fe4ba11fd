using System.Net;
using System.Security.Claims;
using System.Text;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Finsoft.Api.Tests;

public abstract class TokenValidationTests(DatabaseKind kind)
{
    private static string Mint(TestApp app, string? issuer = null, string? audience = null, DateTime? expires = null,
        Guid? session = null, Guid? user = null, string role = "customer", string? key = null)
    {
        var now = DateTime.UtcNow;
        var signingKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key ?? app.Settings["Finsoft:Jwt:SigningKey"]!));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? "finsoft",
            Audience = audience ?? "finsoft-api",
            IssuedAt = (expires ?? now.AddMinutes(5)).AddMinutes(-10),
            NotBefore = (expires ?? now.AddMinutes(5)).AddMinutes(-10),
            Expires = expires ?? now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity([new Claim("sub", (user ?? Guid.NewGuid()).ToString()), new Claim("sid", (session ?? Guid.NewGuid()).ToString()), new Claim("role", role)]),
        });
    }

    [DbFact]
    public async Task Tokens_with_the_wrong_issuer_audience_expiry_key_or_session_are_refused()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var real = await api.RegisterAsync();
        var session = await app.WithDbAsync(db => db.Sessions.Where(s => s.UserId == real.UserId).Select(s => s.Id).SingleAsync());

        // The same claims as the real session, correctly signed: accepted. This proves the others fail for their one defect.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/auth/me", token: Mint(app, session: session, user: real.UserId));
        string[] refused =
        [
            Mint(app, issuer: "someone-else", session: session, user: real.UserId),
            Mint(app, audience: "another-api", session: session, user: real.UserId),
            Mint(app, expires: DateTime.UtcNow.AddMinutes(-5), session: session, user: real.UserId),
            Mint(app, key: "a-different-key-that-is-also-long-enough-000", session: session, user: real.UserId),
            Mint(app, session: Guid.NewGuid(), user: real.UserId),
            Mint(app, session: session, user: real.UserId, role: "admin"), // a role the user does not have
        ];
        foreach (var token in refused)
        {
            await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/auth/me", token), HttpStatusCode.Unauthorized);
        }
    }
}

public sealed class TokenValidationTestsOnSqlite() : TokenValidationTests(DatabaseKind.Sqlite)
{
    [DbFact]
    public async Task Sqlite_commits_durably_in_wal_mode_with_synchronous_full()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite);
        var (journal, synchronous) = await app.WithDbAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            var journal = await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync();
            var synchronous = await db.Database.SqlQueryRaw<long>("PRAGMA synchronous").ToListAsync();
            return (journal.Single(), synchronous.Single());
        });
        Assert.Equal("wal", journal);
        Assert.Equal(2, synchronous); // FULL
    }
}

public sealed class TokenValidationTestsOnPostgres() : TokenValidationTests(DatabaseKind.Postgres), IPostgresTests;
