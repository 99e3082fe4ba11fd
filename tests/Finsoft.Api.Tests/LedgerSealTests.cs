using System.Net;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Verification;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>
/// Someone who can write the database but does not hold the seal key: whatever they rewrite consistently (amounts, every
/// hash after them, the head, a checkpoint's totals and their hash), the seals give them away.
/// </summary>
public abstract class LedgerSealTests(DatabaseKind kind)
{
    private const string RotatedKey = "another-ledger-seal-key-0123456789-0123456789";

    private static async Task<(TestApp App, ApiClient Api, ApiClient.Session User, Guid From, Guid To)> WithHistoryAsync(DatabaseKind kind)
    {
        var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var (from, to) = (await api.CreateAccountAsync(user.Token), await api.CreateAccountAsync(user.Token));
        await api.DepositAsync(admin.Token, from, "500.00");
        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(user.Token, from, to, $"{i}.00")).StatusCode);
        }
        return (app, api, user, from, to);
    }

    /// <summary>
    /// The entry at <paramref name="sequence"/> made a hundred times larger (still balanced), its accounts' balances moved to
    /// match, and every hash from it to the head computed again as the service computes them: a chain that proves itself,
    /// written without the key.
    /// </summary>
    internal static async Task RewriteAsync(TestApp app, long sequence)
    {
        await app.WithDbAsync(async db =>
        {
            var target = await db.JournalEntries.SingleAsync(e => e.Sequence == sequence);
            foreach (var posting in await db.Postings.Where(p => p.EntryId == target.Id).ToListAsync())
            {
                var normalSide = await db.Accounts.Where(a => a.Id == posting.AccountId).Select(a => a.NormalSide).SingleAsync();
                var change = posting.Amount * 99 * (normalSide == NormalSide.Debit ? 1 : -1);
                await db.Accounts.Where(a => a.Id == posting.AccountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance + change));
            }
            await db.Postings.Where(p => p.EntryId == target.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Amount, p => p.Amount * 100));
            var previous = (await db.JournalEntries.SingleAsync(e => e.Sequence == sequence - 1)).Hash;
            foreach (var entry in await db.JournalEntries.Where(e => e.Sequence >= sequence).OrderBy(e => e.Sequence).ToListAsync())
            {
                var postings = await db.Postings.Where(p => p.EntryId == entry.Id)
                    .Select(p => new { p.AccountId, p.Amount, p.Currency }).ToListAsync();
                var hash = EntryHash.Compute(new EntryHash.Content(entry.Sequence, entry.Id, entry.TransactionId, entry.CreatedAt,
                    postings.Select(p => new Posting(p.AccountId, p.Amount, Currency.Get(p.Currency))).ToList(), entry.EffectiveAt), previous);
                var stale = entry.Sequence;
                var before = previous;
                await db.JournalEntries.Where(e => e.Sequence == stale).ExecuteUpdateAsync(s => s.SetProperty(e => e.PreviousHash, before).SetProperty(e => e.Hash, hash));
                previous = hash;
            }
            return await db.LedgerHead.ExecuteUpdateAsync(s => s.SetProperty(h => h.LastHash, previous));
        });
    }

    [DbFact]
    public async Task A_chain_rewritten_with_every_hash_after_it_is_found_by_the_heads_seal()
    {
        var (app, api, _, _, _) = await WithHistoryAsync(kind);
        await using var __ = app;
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
        await RewriteAsync(app, 3); // the transfer of 2.00 made 200.00

        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean(), report.ToString());
        Assert.Equal("The ledger head (entry 5) does not carry the ledger's seal: the journal was written or rewritten behind the API " +
                     "(or sealed with a key this node does not have).", Assert.Single(report.GetProperty("problems").EnumerateArray()).GetString());

        // A verification job proves the chain (it does chain) but will not seal a checkpoint over it.
        var full = await LedgerVerifyTests.VerificationAsync(api, "full");
        Assert.False(full.GetProperty("ok").GetBoolean(), full.ToString());
        Assert.Equal(JsonValueKind.Null, full.GetProperty("checkpoint_id").ValueKind);
        Assert.Equal(0, await app.WithDbAsync(db => db.LedgerCheckpoints.CountAsync(c => c.RevokedAt == null)));
    }

    [DbFact]
    public async Task A_chain_rewritten_under_a_checkpoint_cannot_be_proven_by_a_new_one()
    {
        var (app, api, _, _, _) = await WithHistoryAsync(kind);
        await using var __ = app;
        Assert.True((await LedgerVerifyTests.VerificationAsync(api, "full")).GetProperty("ok").GetBoolean());
        await RewriteAsync(app, 3); // the transfer of 2.00 made 200.00
        // The checkpoint's anchor moved with the rewrite; a new verification proves the rewritten chain from the first entry
        // but finds the head unsealed, so the stale checkpoint is revoked and nothing new stands in its place.
        var full = await LedgerVerifyTests.VerificationAsync(api, "full");
        Assert.False(full.GetProperty("ok").GetBoolean(), full.ToString());
        Assert.Contains(full.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("does not carry the ledger's seal", StringComparison.Ordinal));
        Assert.False((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_balance_and_its_checkpoint_total_changed_with_the_totals_hash_computed_again_are_found()
    {
        var (app, api, _, from, _) = await WithHistoryAsync(kind);
        await using var __ = app;
        var checkpointId = (await LedgerVerifyTests.VerificationAsync(api, "full")).GetProperty("checkpoint_id").GetGuid();
        await app.WithDbAsync(async db =>
        {
            await db.Accounts.Where(a => a.Id == from).ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance + 1));
            await db.LedgerCheckpointAccounts.Where(a => a.CheckpointId == checkpointId && a.AccountId == from)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Posted, a => a.Posted - 1)); // a credit-normal wallet
            var checkpoint = await db.LedgerCheckpoints.SingleAsync(c => c.Id == checkpointId);
            var accounts = await db.LedgerCheckpointAccounts.Where(a => a.CheckpointId == checkpointId).ToListAsync();
            var currencies = await db.LedgerCheckpointCurrencies.Where(c => c.CheckpointId == checkpointId).ToListAsync();
            var totalsHash = LedgerCheckpoints.TotalsHash(checkpoint.Sequence, checkpoint.Hash, accounts.Select(a => (a.AccountId, a.Posted)),
                currencies.Select(c => (c.Currency, c.Debits, c.Credits)));
            return await db.LedgerCheckpoints.Where(c => c.Id == checkpointId).ExecuteUpdateAsync(s => s.SetProperty(c => c.TotalsHash, totalsHash));
        });

        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean(), report.ToString());
        Assert.Contains(report.GetProperty("problems").EnumerateArray(),
            p => p.GetString() == "Checkpoint at entry 5 does not carry the ledger's seal: it was written or changed behind the API (or sealed with a key this node does not have).");
        // An incremental verification would stand on it: it refuses to.
        var incremental = await LedgerVerifyTests.VerificationAsync(api, "incremental");
        Assert.False(incremental.GetProperty("ok").GetBoolean(), incremental.ToString());
        Assert.Equal(JsonValueKind.Null, incremental.GetProperty("checkpoint_id").ValueKind);
    }

    [DbFact]
    public async Task A_verification_whose_saved_place_was_moved_forward_behind_the_api_does_not_resume_from_it()
    {
        var (app, api, _, _, _) = await WithHistoryAsync(kind);
        await using var __ = app;
        // Entry 2 altered (without new hashes), and a job that claims to have proven entries 1 to 3 already: resuming from its
        // place would skip entry 2 and seal a full proof over it.
        var second = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 2));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == second.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Amount, p => p.Amount * 2)));
        var third = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 3));
        var id = Guid.CreateVersion7();
        await app.WithDbAsync(async db =>
        {
            db.LedgerVerifications.Add(new LedgerVerificationRow
            {
                Id = id, Kind = "full", Status = "queued", BaseSequence = 0, TargetSequence = 5, VerifiedSequence = 3, VerifiedHash = third.Hash,
                CreatedAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        var job = await LedgerVerifyTests.CompletedAsync(api, (await api.AdminAsync()).Token, id);
        Assert.False(job.GetProperty("ok").GetBoolean(), job.ToString());
        Assert.Contains("saved progress does not carry the ledger's seal", job.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.LedgerCheckpoints.CountAsync()));
    }

    [DbFact]
    public async Task An_archive_row_written_behind_the_api_does_not_let_a_full_verification_skip_what_is_still_in_the_journal()
    {
        var (app, api, _, _, _) = await WithHistoryAsync(kind);
        await using var __ = app;
        var checkpointId = (await LedgerVerifyTests.VerificationAsync(api, "full")).GetProperty("checkpoint_id").GetGuid();
        var second = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 2));
        await app.WithDbAsync(async db =>
        {
            await db.Postings.Where(p => p.EntryId == second.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Amount, p => p.Amount * 2));
            db.LedgerArchives.Add(new LedgerArchiveRow
            {
                Month = new DateOnly(2020, 1, 1), FirstSequence = 1, LastSequence = 5, Entries = 5, Postings = 10, CheckpointId = checkpointId,
                EntriesTable = "journal_entries_y2020m01", PostingsTable = "postings_y2020m01", ArchivedAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        var full = await LedgerVerifyTests.VerificationAsync(api, "full");
        Assert.False(full.GetProperty("ok").GetBoolean(), full.ToString());
        Assert.Equal(2, full.GetProperty("first_broken_sequence").GetInt64());
    }

    [DbFact]
    public async Task A_revoked_checkpoint_made_to_stand_again_behind_the_api_is_refused()
    {
        var (app, api, _, _, _) = await WithHistoryAsync(kind);
        await using var __ = app;
        Assert.True((await LedgerVerifyTests.VerificationAsync(api, "full")).GetProperty("ok").GetBoolean());
        var second = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 2));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == second.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Amount, p => p.Amount * 2)));
        Assert.False((await LedgerVerifyTests.VerificationAsync(api, "full")).GetProperty("ok").GetBoolean()); // revokes the checkpoint at 5
        // Made to stand again, so ledger/verify would stand on it and not read entry 2.
        await app.WithDbAsync(db => db.LedgerCheckpoints.ExecuteUpdateAsync(s => s.SetProperty(c => c.RevokedAt, (DateTime?)null)));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean(), report.ToString());
        Assert.Contains(report.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("does not carry the ledger's seal", StringComparison.Ordinal));
    }

    [DbFact]
    public async Task After_a_rotation_the_old_key_still_proves_what_it_sealed_and_only_while_it_is_accepted()
    {
        var (app, api, owner, from, to) = await WithHistoryAsync(kind);
        await using var _ = app;
        Assert.True((await LedgerVerifyTests.VerificationAsync(api, "full")).GetProperty("ok").GetBoolean());

        await using (var rotated = app.Sibling(new Dictionary<string, string?>
                     {
                         ["Finsoft:Ledger:SealKey"] = RotatedKey, ["Finsoft:Ledger:AcceptedSealKeys:0"] = ApiProcess.SealKey,
                     }))
        {
            var rotatedApi = rotated.Api();
            Assert.True((await rotatedApi.VerifyLedgerAsync()).GetProperty("ok").GetBoolean()); // all sealed with the old key
            var user = await rotatedApi.LoginAsync(owner.Email, owner.Password);
            Assert.Equal(HttpStatusCode.Created, (await rotatedApi.TransferAsync(user.Token, from, to, "1.00")).StatusCode);
            var head = await rotated.WithDbAsync(db => db.LedgerHead.SingleAsync());
            Assert.StartsWith(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(RotatedKey)))[..8] + ".",
                head.Seal, StringComparison.Ordinal);
            Assert.True((await rotatedApi.VerifyLedgerAsync()).GetProperty("ok").GetBoolean()); // the head now under the new key, the checkpoint the old
        }

        // A node given only the new key (the head is under it) cannot prove the checkpoint the old key sealed. (One given some
        // other key refuses to start: SchemaTests runs that as an operator would.)
        await using var forgetful = app.Sibling(new Dictionary<string, string?> { ["Finsoft:Ledger:SealKey"] = RotatedKey });
        var report = await forgetful.Api().VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Contains("Checkpoint at entry 5 does not carry the ledger's seal", Assert.Single(report.GetProperty("problems").EnumerateArray()).GetString(),
            StringComparison.Ordinal);
    }
}

public sealed class LedgerSealTestsOnSqlite() : LedgerSealTests(DatabaseKind.Sqlite);

public sealed class LedgerSealTestsOnPostgres() : LedgerSealTests(DatabaseKind.Postgres), IPostgresTests;

/// <summary>The seal itself, without a database.</summary>
public sealed class LedgerSealUnitTests
{
    private static readonly byte[] Key = System.Text.Encoding.UTF8.GetBytes(ApiProcess.SealKey);

    [Fact]
    public void A_seal_holds_over_its_statement_and_nothing_else()
    {
        var seal = new LedgerSeal(Key, []);
        var made = seal.SealHead(7, new string('a', 64));
        Assert.True(seal.Holds(made, LedgerSeal.HeadStatement(7, new string('a', 64))));
        Assert.False(seal.Holds(made, LedgerSeal.HeadStatement(8, new string('a', 64))));
        Assert.False(seal.Holds(made, LedgerSeal.HeadStatement(7, new string('b', 64))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData("00000000.abcd")]
    [InlineData("zzzzzzzz.")]
    public void Malformed_or_foreign_seals_do_not_hold(string? given)
    {
        var seal = new LedgerSeal(Key, []);
        Assert.False(seal.Holds(given, LedgerSeal.HeadStatement(1, "x")));
        var made = seal.SealHead(1, "x");
        var dot = made.IndexOf('.', StringComparison.Ordinal);
        Assert.False(seal.Holds(made[..(dot + 1)] + "not-hex-at-all-" + made[(dot + 16)..], LedgerSeal.HeadStatement(1, "x")));
        Assert.False(seal.Holds(made[..^2], LedgerSeal.HeadStatement(1, "x")));
    }
}
