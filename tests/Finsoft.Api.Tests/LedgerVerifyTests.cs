using System.Net;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Api.MoneyPath.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

public abstract class LedgerVerifyTests(DatabaseKind kind)
{
    private static async Task<(TestApp App, ApiClient Api)> WithHistoryAsync(DatabaseKind kind, IDictionary<string, string?>? settings = null)
    {
        var app = await TestApp.StartAsync(kind, settings);
        var api = app.Api();
        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var a = await api.CreateAccountAsync(user.Token);
        var b = await api.CreateAccountAsync(user.Token);
        await api.DepositAsync(admin.Token, a, "500.00");
        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(user.Token, a, b, $"{i}.00")).StatusCode);
        }
        return (app, api);
    }

    [DbFact]
    public async Task An_untouched_ledger_verifies_with_a_zero_trial_balance()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var report = await api.VerifyLedgerAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        Assert.Equal(5, report.GetProperty("entries_checked").GetInt64());
        var mxn = report.GetProperty("trial_balance").EnumerateArray().Single();
        Assert.Equal(mxn.GetProperty("total_debits").GetInt64(), mxn.GetProperty("total_credits").GetInt64());
    }

    [DbFact]
    public async Task An_amount_altered_behind_the_api_is_found_and_named()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var third = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 3));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == third.Id && p.Amount > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Amount, p => p.Amount + 100)));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(3, report.GetProperty("first_broken_sequence").GetInt64());
        Assert.Equal(third.Id, report.GetProperty("first_broken_entry_id").GetGuid());
    }

    [DbFact]
    public async Task A_wallet_holding_more_than_its_balance_behind_the_api_and_its_checks_is_found()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var wallet = await app.WithDbAsync(async db =>
        {
            // The schema's CHECKs forbid it, so first what someone with the database's keys could do: take them off.
            await db.Database.OpenConnectionAsync();
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlRawAsync("""
                    DO $$ DECLARE c text; BEGIN
                      FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'c' LOOP
                        EXECUTE format('ALTER TABLE accounts DROP CONSTRAINT %I', c);
                      END LOOP;
                    END $$
                    """);
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA ignore_check_constraints = ON"); // this connection only
            }
            var held = await db.Accounts.Where(a => a.Kind == AccountKind.Wallet && a.Balance > 0).OrderBy(a => a.Id).FirstAsync();
            await db.Accounts.Where(a => a.Id == held.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Held, a => a.Balance + 1));
            return held;
        });

        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean(), report.ToString());
        // Its balance still is its postings' sum: only the wallet's state is wrong.
        Assert.Equal([$"Wallet {wallet.Id}: balance {wallet.Balance} with {wallet.Balance + 1} held is not allowed."],
            report.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!));
    }

    [DbFact]
    public async Task A_posting_given_an_unknown_currency_is_reported_not_a_500()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var first = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 1));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == first.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Currency, "ZZZ")));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(1, report.GetProperty("first_broken_sequence").GetInt64());
    }

    [DbFact]
    public async Task A_posting_moved_to_another_day_behind_the_api_is_found()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        // The entry and its hash stay as they were; only the copy of its date on one posting moves, as it would to shift a
        // statement or a balance as of a moment.
        var fourth = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 4));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == fourth.Id && p.Amount > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.EffectiveAt, p => p.EffectiveAt.AddDays(-40))));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(4, report.GetProperty("first_broken_sequence").GetInt64());
        Assert.Contains("effective_at differs", report.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
    }

    [DbFact]
    public async Task A_posting_relabelled_with_another_transaction_behind_the_api_is_found()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        // The statement reads a posting's own copy of its transaction and sequence: pointing one at another transfer would
        // put a movement under the wrong name on the statement while the journal stays intact.
        var third = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 3));
        var fourth = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 4));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == fourth.Id && p.Amount > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.TransactionId, third.TransactionId)));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(4, report.GetProperty("first_broken_sequence").GetInt64());
        Assert.Contains("names another entry, transaction", report.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
    }

    [DbFact]
    public async Task Balanced_postings_slipped_in_after_the_head_with_the_balances_to_match_are_found()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        // Past the head no entry is walked, the balances agree with every posting and the trial balance holds: only the
        // postings' own sequence gives them away.
        var last = await app.WithDbAsync(db => db.JournalEntries.OrderByDescending(e => e.Sequence).FirstAsync());
        var (from, to) = await app.WithDbAsync(async db =>
        {
            var wallets = await db.Accounts.Where(a => a.Kind == "wallet").OrderByDescending(a => a.Balance).Select(a => a.Id).Take(2).ToListAsync();
            return (wallets[0], wallets[1]);
        });
        await app.WithDbAsync(async db =>
        {
            db.Postings.AddRange(
                new PostingRow { EntryId = last.Id, AccountId = from, Amount = 10_000, Currency = "MXN", EffectiveAt = last.EffectiveAt, Sequence = last.Sequence + 1,
                    TransactionId = last.TransactionId, CreatedAt = last.CreatedAt },
                new PostingRow { EntryId = last.Id, AccountId = to, Amount = -10_000, Currency = "MXN", EffectiveAt = last.EffectiveAt, Sequence = last.Sequence + 1,
                    TransactionId = last.TransactionId, CreatedAt = last.CreatedAt });
            await db.Accounts.Where(a => a.Id == from).ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance - 10_000));
            await db.Accounts.Where(a => a.Id == to).ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance + 10_000));
            return await db.SaveChangesAsync();
        });
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(["Entries or postings after the ledger head (5) exist."], report.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
    }

    [DbFact]
    public async Task A_deleted_entry_and_a_rewritten_balance_are_found()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var second = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 2));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == second.Id).ExecuteDeleteAsync());
        await app.WithDbAsync(db => db.JournalEntries.Where(e => e.Id == second.Id).ExecuteDeleteAsync());
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(3, report.GetProperty("first_broken_sequence").GetInt64());

        var (app2, api2) = await WithHistoryAsync(kind);
        await using var __ = app2;
        await app2.WithDbAsync(db => db.Accounts.Where(a => a.Kind == "wallet" && a.Balance > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance + 1)));
        var rewritten = await api2.VerifyLedgerAsync();
        Assert.False(rewritten.GetProperty("ok").GetBoolean());
        Assert.Contains(rewritten.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("postings sum to", StringComparison.Ordinal));
    }

    /// <summary>A job row as a node would have saved it: with its progress sealed under the service's key.</summary>
    private static LedgerVerificationRow Sealed(TestApp app, LedgerVerificationRow job)
    {
        job.Seal = app.Services.GetRequiredService<LedgerSeal>().Seal(LedgerSeal.ProgressStatement(job));
        return job;
    }

    /// <summary>Asks for a verification job as the admin and waits for it to complete.</summary>
    internal static async Task<JsonElement> VerificationAsync(ApiClient api, string kind)
    {
        var admin = await api.AdminAsync();
        var job = await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/ledger/verifications", new { kind }, admin.Token);
        Assert.Equal("queued", job.GetProperty("status").GetString());
        return await CompletedAsync(api, admin.Token, job.GetProperty("id").GetGuid());
    }

    internal static async Task<JsonElement> CompletedAsync(ApiClient api, string token, Guid id)
    {
        for (var i = 0; i < 300; i++)
        {
            var job = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/ledger/verifications/{id}", token: token);
            if (job.GetProperty("status").GetString() == "completed")
            {
                Assert.Equal(100, job.GetProperty("progress").GetInt32());
                return job;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("the verification did not complete");
    }

    [DbFact]
    public async Task After_a_full_verification_ledger_verify_proves_only_what_came_since_its_checkpoint()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var job = await VerificationAsync(api, "full");
        Assert.True(job.GetProperty("ok").GetBoolean(), job.ToString());
        Assert.Equal(0, job.GetProperty("base_sequence").GetInt64());
        Assert.Equal(5, job.GetProperty("verified_sequence").GetInt64());
        var checkpoint = job.GetProperty("checkpoint_id").GetGuid();

        var user = await api.RegisterAsync();
        var admin = await api.AdminAsync();
        var wallet = await api.CreateAccountAsync(user.Token);
        await api.DepositAsync(admin.Token, wallet, "3.00");
        await api.DepositAsync(admin.Token, wallet, "4.00");
        var report = await api.VerifyLedgerAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        Assert.Equal(2, report.GetProperty("entries_checked").GetInt64());
        var covered = report.GetProperty("covered");
        Assert.Equal(6, covered.GetProperty("from_sequence").GetInt64());
        Assert.Equal(7, covered.GetProperty("to_sequence").GetInt64());
        Assert.Equal(checkpoint, covered.GetProperty("checkpoint").GetProperty("id").GetGuid());
        Assert.True(covered.GetProperty("checkpoint").GetProperty("full_proof").GetBoolean());
        // The trial balance is the checkpoint's totals plus what came since: the deposits' 7.00 on each side.
        var mxn = report.GetProperty("trial_balance").EnumerateArray().Single();
        Assert.Equal(50_000 + 1_000 + 700, mxn.GetProperty("total_debits").GetInt64());

        // An incremental verification proves the two new entries on top of the checkpoint and leaves one of its own.
        var incremental = await VerificationAsync(api, "incremental");
        Assert.True(incremental.GetProperty("ok").GetBoolean(), incremental.ToString());
        Assert.Equal(5, incremental.GetProperty("base_sequence").GetInt64());
        Assert.Equal(7, incremental.GetProperty("target_sequence").GetInt64());
        var after = await api.VerifyLedgerAsync();
        Assert.Equal(0, after.GetProperty("entries_checked").GetInt64());
        Assert.False(after.GetProperty("covered").GetProperty("checkpoint").GetProperty("full_proof").GetBoolean());
        Assert.True(after.GetProperty("ok").GetBoolean(), after.ToString());
    }

    [DbFact]
    public async Task What_a_checkpoint_vouches_for_is_rechecked_by_a_full_verification_which_revokes_it_when_wrong()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        Assert.True((await VerificationAsync(api, "full")).GetProperty("ok").GetBoolean());

        // Both amounts of entry 3 changed behind the API (so it still balances), after the checkpoint vouched for it.
        var third = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 3));
        await app.WithDbAsync(db => db.Postings.Where(p => p.EntryId == third.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Amount, p => p.Amount * 2)));
        // ledger/verify stands on the checkpoint and does not read entry 3 again; a full verification does, and names it.
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
        var full = await VerificationAsync(api, "full");
        Assert.False(full.GetProperty("ok").GetBoolean());
        Assert.Equal(3, full.GetProperty("first_broken_sequence").GetInt64());
        Assert.Contains("altered", full.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, full.GetProperty("checkpoint_id").ValueKind);
        // The checkpoint that vouched for entry 3 is revoked: ledger/verify proves it again and reports it too.
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Equal(3, report.GetProperty("first_broken_sequence").GetInt64());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("covered").GetProperty("checkpoint").ValueKind);
    }

    [DbFact]
    public async Task A_chain_rewritten_up_to_the_checkpoint_is_found_by_ledger_verify_at_once()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        Assert.True((await VerificationAsync(api, "full")).GetProperty("ok").GetBoolean());
        // Re-hashing the chain to hide a change alters the hash the checkpoint is anchored to.
        await app.WithDbAsync(db => db.JournalEntries.Where(e => e.Sequence == 5).ExecuteUpdateAsync(s => s.SetProperty(e => e.Hash, new string('f', 64))));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Contains(report.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("Checkpoint at entry 5 no longer matches", StringComparison.Ordinal));
    }

    [DbFact]
    public async Task A_balance_and_its_checkpoint_total_changed_together_are_found()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var checkpoint = (await VerificationAsync(api, "full")).GetProperty("checkpoint_id").GetGuid();
        // A wallet's balance raised by one cent, and the checkpoint's total for it lowered to match (a credit-normal wallet).
        var wallet = await app.WithDbAsync(db => db.Accounts.FirstAsync(a => a.Kind == "wallet" && a.Balance > 0));
        await app.WithDbAsync(db => db.Accounts.Where(a => a.Id == wallet.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance + 1)));
        await app.WithDbAsync(db => db.LedgerCheckpointAccounts.Where(a => a.CheckpointId == checkpoint && a.AccountId == wallet.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Posted, a => a.Posted - 1)));
        var report = await api.VerifyLedgerAsync();
        Assert.False(report.GetProperty("ok").GetBoolean());
        Assert.Contains(report.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("no longer match their hash", StringComparison.Ordinal));
    }

    [DbFact]
    public async Task A_verification_of_an_empty_journal_leaves_no_checkpoint()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var job = await VerificationAsync(api, "full");
        Assert.True(job.GetProperty("ok").GetBoolean(), job.ToString());
        Assert.Equal(JsonValueKind.Null, job.GetProperty("checkpoint_id").ValueKind);
        var report = await api.VerifyLedgerAsync();
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
    }

    [DbFact]
    public async Task Verifications_queued_on_the_same_checkpoint_all_keep_its_totals_until_they_run()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var checkpoint = (await VerificationAsync(api, "full")).GetProperty("checkpoint_id").GetGuid();
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();
        await api.DepositAsync(admin.Token, await api.CreateAccountAsync(user.Token), "1.00");
        // Four asked for at once, all starting from that checkpoint: each one finished makes a checkpoint of its own, and
        // only the newest three keep their totals, but never one a waiting verification starts from.
        var anchor = await app.WithDbAsync(db => db.LedgerCheckpoints.SingleAsync(c => c.Id == checkpoint));
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.CreateVersion7()).ToList();
        await app.WithDbAsync(async db =>
        {
            db.LedgerVerifications.AddRange(ids.Select(id => Sealed(app, new LedgerVerificationRow
            {
                Id = id, Kind = "incremental", Status = "queued", BaseCheckpointId = anchor.Id, BaseSequence = anchor.Sequence, TargetSequence = 6,
                VerifiedSequence = anchor.Sequence, VerifiedHash = anchor.Hash, RequestedBy = admin.UserId, CreatedAt = DateTime.UtcNow,
            })));
            return await db.SaveChangesAsync();
        });
        foreach (var id in ids)
        {
            var job = await CompletedAsync(api, admin.Token, id);
            Assert.True(job.GetProperty("ok").GetBoolean(), job.ToString());
        }
        Assert.True((await api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
    }

    [DbFact]
    public async Task A_verification_left_by_a_stopped_node_resumes_where_it_was()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        // A node proved entries 1 to 3, kept its place, and stopped; its lease ran out.
        var third = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 3));
        var id = Guid.CreateVersion7();
        await app.WithDbAsync(async db =>
        {
            db.LedgerVerifications.Add(Sealed(app, new LedgerVerificationRow
            {
                Id = id, Kind = "full", Status = "running", BaseSequence = 0, TargetSequence = 5, VerifiedSequence = 3, VerifiedHash = third.Hash,
                LeaseUntil = DateTime.UtcNow.AddMinutes(-1), CreatedAt = DateTime.UtcNow, StartedAt = DateTime.UtcNow.AddMinutes(-3),
            }));
            return await db.SaveChangesAsync();
        });
        // Entry 2 is altered now, behind what was proven: a job that started again would find it; one that resumes does not.
        var second = await app.WithDbAsync(db => db.JournalEntries.SingleAsync(e => e.Sequence == 2));
        await app.WithDbAsync(db => db.JournalEntries.Where(e => e.Id == second.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.CreatedAt, e => e.CreatedAt.AddSeconds(1))));
        var admin = await api.AdminAsync();
        var job = await CompletedAsync(api, admin.Token, id);
        Assert.True(job.GetProperty("ok").GetBoolean(), job.ToString());
        Assert.Equal(5, job.GetProperty("verified_sequence").GetInt64());
    }

    [DbFact]
    public async Task The_service_checkpoints_by_itself_as_the_journal_grows()
    {
        var (app, api) = await WithHistoryAsync(kind, new Dictionary<string, string?>
        {
            ["Finsoft:Ledger:CheckpointEveryEntries"] = "5", ["Finsoft:Ledger:VerificationPollMilliseconds"] = "100",
        });
        await using var _ = app;
        var admin = await api.AdminAsync();
        for (var i = 0; i < 100; i++)
        {
            var jobs = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/ledger/verifications", token: admin.Token);
            if (jobs.EnumerateArray().Any(j => j.GetProperty("status").GetString() == "completed"))
            {
                var automatic = jobs.EnumerateArray().First(j => j.GetProperty("status").GetString() == "completed");
                Assert.Equal(JsonValueKind.Null, automatic.GetProperty("requested_by").ValueKind);
                Assert.True(automatic.GetProperty("ok").GetBoolean(), automatic.ToString());
                var report = await api.VerifyLedgerAsync();
                Assert.Equal(5, report.GetProperty("covered").GetProperty("checkpoint").GetProperty("sequence").GetInt64());
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("no checkpoint was made");
    }

    [DbFact]
    public async Task A_verification_of_an_unknown_kind_is_refused()
    {
        var (app, api) = await WithHistoryAsync(kind);
        await using var _ = app;
        var admin = await api.AdminAsync();
        await api.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Post, "/api/v1/ledger/verifications", new { kind = "partial" }, admin.Token);
        Assert.Empty((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/ledger/verifications", token: admin.Token)).EnumerateArray());
    }
}

public sealed class LedgerVerifyTestsOnSqlite() : LedgerVerifyTests(DatabaseKind.Sqlite);

public sealed class LedgerVerifyTestsOnPostgres() : LedgerVerifyTests(DatabaseKind.Postgres), IPostgresTests;
