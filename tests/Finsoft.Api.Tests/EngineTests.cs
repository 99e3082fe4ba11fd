using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>
/// The engine without HTTP: random waves of every command kind (fixed seeds) are queued together, so the
/// engine groups them into batches as it likes. After each wave the books must be exactly what the pure
/// planner decides for the same commands in the same order from the same starting state: the same
/// refusals, the same balances, holds and floors, and one event per movement made.
/// </summary>
public abstract class EngineTests(DatabaseKind kind)
{
    private static readonly Currency Mxn = Currency.Get("MXN");
    private static readonly Currency Usd = Currency.Get("USD");

    private sealed record World(TestApp App, CurrentUser Admin, List<Guid> Wallets, Guid SettlementMxn, Guid AdjustmentsMxn, Guid FxMxn, Guid FxUsd)
    {
        public Guid ClearingMxn { get; init; }

        public Guid FeeIncomeMxn { get; init; }

        public Guid RetainedEarningsMxn { get; init; }

        /// <summary>Two loans' receivables, and the income their fees and interest go to.</summary>
        public List<Guid> Loans { get; init; } = [];

        public Guid LoanFeeIncomeMxn { get; init; }

        public Guid LoanInterestIncomeMxn { get; init; }
    }

    [DbFact]
    public async Task Random_waves_of_every_command_write_exactly_what_the_planner_decides()
    {
        // The workers stay idle (one pass at start), so nothing but the waves moves money.
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Finsoft:Bank:PollMilliseconds"] = "3600000", ["Finsoft:Payments:PollMilliseconds"] = "3600000",
        });
        var world = await WorldAsync(app);
        var made = new Dictionary<Type, int>();
        var refused = 0;
        var kinds = typeof(MoneyCommand).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(MoneyCommand)) && t != typeof(MoneyCommand.Post)).ToList();
        // Three seeds of five waves, then (the engine's batching decides which of a wave's commands find their subject still
        // open) up to ten more waves while some kind has not been made yet.
        var waves = new[] { 11, 12, 13 }.SelectMany(seed => Enumerable.Repeat(new Random(seed), 5)).ToList();
        var extra = new Random(14);
        for (var wave = 0; wave < waves.Count + 10 && (wave < waves.Count || kinds.Any(k => !made.ContainsKey(k))); wave++)
        {
            var (madeInWave, refusedInWave) = await RunWaveAsync(world, wave < waves.Count ? waves[wave] : extra);
            refused += refusedInWave;
            foreach (var kind in madeInWave)
            {
                made[kind] = made.GetValueOrDefault(kind) + 1;
            }
        }
        // The waves must exercise what they claim to: every kind of command made at least once, and refusals too.
        Assert.All(kinds, kind => Assert.True(made.GetValueOrDefault(kind) > 0, $"no {kind.Name} was made"));
        Assert.True(refused > 20, $"only {refused} refusals");
        var verify = await app.Api().VerifyLedgerAsync();
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.GetRawText());
    }

    /// <summary>Runs one wave and checks it; returns the kinds of the commands made and how many were refused.</summary>
    private static async Task<(List<Type> Made, int Refused)> RunWaveAsync(World world, Random random)
    {
        var app = world.App;
        // The bank and provider workers would have claimed some pending withdrawals, payments and refunds by now.
        await app.WithDbAsync(async db =>
        {
            // Not one held for review: the workers wait for its analyst.
            var pending = await db.Transactions.Where(t => (t.Type == "WITHDRAWAL" || t.Type == "PAYMENT" || t.Type == "REFUND") && t.Status == "PENDING"
                    && (t.ReviewStatus == null || t.ReviewStatus != "open"))
                .Select(t => t.Id).ToListAsync();
            var claimed = pending.Where(_ => random.Next(2) == 0).ToList();
            return await db.Transactions.Where(t => claimed.Contains(t.Id)).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, "PROCESSING"));
        });
        var (accounts, transactions, quotes) = await ReadAsync(app);
        var lastEvent = await app.WithDbAsync(db => db.Events.MaxAsync(e => (long?)e.Position)) ?? 0;
        var fresh = new List<Guid>();
        var commands = Enumerable.Range(0, 60).Select(_ => Generate(world, random, transactions, quotes, fresh)).ToList();
        await app.WithDbAsync(db =>
        {
            db.FxQuotes.AddRange(fresh.Select(quote => new FxQuoteRow
            {
                Id = quote, UserId = world.Admin.Id, FromCurrency = "MXN", ToCurrency = "USD", Rate = "0.05", FromAmount = 2_000, ToAmount = 100,
                ExpiresAt = DateTime.UtcNow.AddHours(1), CreatedAt = DateTime.UtcNow,
            }));
            return db.SaveChangesAsync();
        });

        var outcomes = new MoneyOutcome?[commands.Count];
        var engine = app.Services.GetRequiredService<MoneyEngine>();
        var submitted = commands.Select((command, i) => engine.SubmitAsync(new MoneyOrder(command.Command, outcome =>
        {
            outcomes[i] = outcome;
            return outcome is MoneyOutcome.Refused r ? r.Error.ToProblem() : global::Finsoft.Api.Infrastructure.Http.ApiResults.Ok(new { });
        })
        {
            Initiator = world.Admin, Description = "engine test", HoldUntil = command.PayerHold ? DateTime.UtcNow.AddDays(1) : null,
            Conversion = command.Command is MoneyCommand.Convert c ? new Conversion(c.Received, "0.05", command.Quote!.Value) : null,
            ReviewReason = command.HeldForReview ? "engine test" : null,
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(submitted);

        var plan = BatchPlanner.Plan(accounts.Values, transactions.Values, commands.Select(c => c.Command).ToList());
        for (var i = 0; i < commands.Count; i++)
        {
            var expected = plan.Refusals[i]?.Error;
            var actual = (outcomes[i] as MoneyOutcome.Refused)?.Error;
            Assert.True(expected == actual, $"{commands[i].Command}: planner {expected?.Message ?? "made"}, engine {actual?.Message ?? "made"}");
        }

        var (after, afterTransactions, _) = await ReadAsync(app);
        var deltas = plan.Deltas.ToDictionary(d => d.AccountId);
        foreach (var (id, before) in accounts)
        {
            var delta = deltas.GetValueOrDefault(id);
            Assert.Equal(new AccountBalance(before.Balance.Balance + delta.Balance, before.Balance.Held + delta.Held), after[id].Balance);
        }
        var floors = plan.Decisions.OfType<Decision>().Where(d => d.NewFloor is not null).Select(d => d.NewFloor!.Value).ToList();
        foreach (var (id, floor) in floors.GroupBy(f => f.AccountId).Select(g => g.Last()))
        {
            Assert.Equal(floor, after[id].Floor);
        }
        // Refused commands left their transactions as they were; made ones moved them as the planner said.
        foreach (var decision in plan.Decisions.OfType<Decision>().Where(d => d.Subject is not null))
        {
            var final = plan.Decisions.OfType<Decision>().Last(d => d.Subject?.Id == decision.Subject!.Id).Subject!;
            Assert.Equal(final.Status, afterTransactions[final.Id].Status);
            Assert.Equal(final.Amount, afterTransactions[final.Id].Amount);
            Assert.Equal(final.Reversed, afterTransactions[final.Id].Reversed);
        }

        var events = await app.WithDbAsync(db => db.Events.Where(e => e.Position > lastEvent).OrderBy(e => e.Position).ToListAsync());
        var expectedEvents = commands.Select((c, i) => plan.Decisions[i] is { } d ? ExpectedEvents(c, d) : []).SelectMany(e => e)
            .GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expectedEvents.OrderBy(e => e.Key), events.GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count()).OrderBy(e => e.Key));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(n => lastEvent + n), events.Select(e => e.Position));
        return (commands.Where((_, i) => plan.Decisions[i] is not null).Select(c => c.Command.GetType()).ToList(), plan.Refusals.Count(r => r is not null));
    }

    /// <summary>What each applied command must announce: the outbox's contract, written out independently of the engine.</summary>
    private static string[] ExpectedEvents(Generated generated, Decision decision) => generated.Command switch
    {
        MoneyCommand.Transfer { Hold: true } or MoneyCommand.Withdraw or MoneyCommand.OpenPayIn when generated.HeldForReview =>
            [EventTypes.TransactionCreated, EventTypes.HeldForReview],
        MoneyCommand.Transfer { Hold: true } => [EventTypes.TransactionCreated, EventTypes.HoldCreated],
        MoneyCommand.Transfer or MoneyCommand.Deposit or MoneyCommand.Convert or MoneyCommand.Lend or MoneyCommand.Repay or MoneyCommand.ChargeLoan
            or MoneyCommand.CloseBooks =>
            [EventTypes.TransactionCreated, EventTypes.TransactionCompleted],
        MoneyCommand.Adjust => decision.Books.Entries.Count == 0 ? [] : [EventTypes.TransactionCreated, EventTypes.TransactionCompleted],
        MoneyCommand.Withdraw => [EventTypes.TransactionCreated],
        MoneyCommand.Reverse => [EventTypes.TransactionCreated, EventTypes.TransactionCompleted, EventTypes.TransactionReversed],
        MoneyCommand.Capture => [EventTypes.HoldCaptured, EventTypes.TransactionCompleted],
        MoneyCommand.Release r => [r.Reason == MoneyCommand.Release.Expired ? EventTypes.HoldExpired : EventTypes.HoldVoided, EventTypes.TransactionFailed],
        MoneyCommand.SettlePayout => [EventTypes.TransactionCompleted],
        MoneyCommand.RejectPayout => [EventTypes.TransactionFailed],
        MoneyCommand.RetryPayout => [EventTypes.WithdrawalRetried],
        MoneyCommand.SetFloor => [EventTypes.AccountLimitsChanged],
        MoneyCommand.OpenPayIn or MoneyCommand.Refund => [EventTypes.TransactionCreated],
        MoneyCommand.SettlePayIn or MoneyCommand.SettleRefund => [EventTypes.TransactionCompleted],
        MoneyCommand.FailPayIn or MoneyCommand.FailRefund => [EventTypes.TransactionFailed],
        // A transfer monitoring held is captured by its approval; a payer's own hold, a withdrawal or a pay-in waits on.
        MoneyCommand.ApproveReview => decision.Subject!.Status == TransactionStatus.Completed
            ? [EventTypes.ReviewApproved, EventTypes.TransactionCompleted] : [EventTypes.ReviewApproved],
        MoneyCommand.RejectReview => [EventTypes.ReviewRejected, EventTypes.TransactionFailed],
        _ => throw new InvalidOperationException(generated.Command.ToString()),
    };

    /// <summary>A command, the quote a conversion spends, and whether what it starts is held for a compliance review.</summary>
    private sealed record Generated(MoneyCommand Command, Guid? Quote = null, bool HeldForReview = false, bool PayerHold = false);

    private static Generated Generate(World w, Random random, Dictionary<Guid, TransactionState> transactions, Dictionary<Guid, bool> quotes,
        List<Guid> fresh)
    {
        Guid Wallet() => w.Wallets[random.Next(w.Wallets.Count)];
        Money Amount(Currency currency, int max = 3_000) => new(random.Next(1, max), currency);
        T Pick<T>(IEnumerable<T> items, T fallback) => items.ToList() is { Count: > 0 } list ? list[random.Next(list.Count)] : fallback;
        var holds = transactions.Values.Where(t => t.IsHold).Select(t => t.Id);
        // Holds their owner may still capture or void (not settled, not waiting for a review); the others are picked now and then for refusals.
        var open = transactions.Values.Where(t => t.IsHold && t.Status == TransactionStatus.Pending && t.Review != ReviewState.Open).Select(t => t.Id);
        var withdrawals = transactions.Values.Where(t => t.Type == TransactionType.Withdrawal).ToList();
        var transfers = transactions.Values.Where(t => t.Type == TransactionType.Transfer).Select(t => t.Id);
        var payments = transactions.Values.Where(t => t.Type == TransactionType.Payment).Select(t => t.Id);
        var refunds = transactions.Values.Where(t => t.Type == TransactionType.Refund).Select(t => t.Id);
        // Payments their provider is working on: the only ones it can settle or decline.
        var paying = transactions.Values.Where(t => t.Type == TransactionType.Payment && t.Status == TransactionStatus.Processing).Select(t => t.Id);
        // Transactions awaiting review, and one never held or already decided, which the planner refuses.
        var reviewed = transactions.Values.Where(t => t.Review == ReviewState.Open).Concat(transactions.Values.Where(t => t.Review != ReviewState.Open).Take(1))
            .Select(t => t.Id);
        var missing = Guid.CreateVersion7();
        Guid Loan() => w.Loans[random.Next(w.Loans.Count)];
        switch (random.Next(25))
        {
            case 24:
            {
                // A closing entry empties an income account into retained earnings; now and then one with a wallet in it, which is refused.
                var income = new Money(random.Next(1, 3_000), Mxn);
                var other = random.Next(6) == 0 ? Wallet() : w.RetainedEarningsMxn;
                return new(new MoneyCommand.CloseBooks([Posting.Debit(random.Next(2) == 0 ? w.AdjustmentsMxn : w.FeeIncomeMxn, income), Posting.Credit(other, income)]));
            }
            case 21:
            {
                var principal = Amount(Mxn, 5_000);
                return new(new MoneyCommand.Lend(Loan(), Wallet(), principal, w.LoanFeeIncomeMxn, new Money(random.Next(0, (int)principal.Minor + 1), Mxn)));
            }
            case 22:
                return new(new MoneyCommand.Repay(Wallet(), Loan(), Amount(Mxn, 2_000)));
            case 23:
                return new(new MoneyCommand.ChargeLoan(Loan(), random.Next(2) == 0 ? w.LoanInterestIncomeMxn : w.LoanFeeIncomeMxn, Amount(Mxn, 500)));
            case 19:
                return new(new MoneyCommand.ApproveReview(Pick(reviewed, missing)));
            case 20:
                return new(new MoneyCommand.RejectReview(Pick(reviewed, missing), "rejected in test"));
            case 13:
            {
                var amount = Amount(Mxn, 5_000);
                return new(new MoneyCommand.OpenPayIn(Wallet(), amount, new Money(random.Next(0, (int)amount.Minor + 1), Mxn)), HeldForReview: random.Next(4) == 0);
            }
            case 14:
            case 15:
                return new(new MoneyCommand.SettlePayIn(Pick(random.Next(4) == 0 ? payments : paying, missing), w.ClearingMxn, w.FeeIncomeMxn));
            case 16:
                return new(new MoneyCommand.FailPayIn(Pick(random.Next(4) == 0 ? payments : paying, missing), "declined in test"));
            case 17:
                return new(new MoneyCommand.Refund(Pick(payments, missing), w.ClearingMxn, w.FeeIncomeMxn, random.Next(2) == 0 ? null : Amount(Mxn, 2_000)));
            case 18:
                // Mostly one the provider is still working on (the only kind it can settle or refuse); sometimes any.
                var inFlight = transactions.Values.Where(t => t.Type == TransactionType.Refund && t.Status == TransactionStatus.Processing).Select(t => t.Id);
                var refund = Pick(random.Next(4) == 0 ? refunds : inFlight, missing);
                return random.Next(2) == 0
                    ? new(new MoneyCommand.SettleRefund(refund))
                    : new(new MoneyCommand.FailRefund(refund, transactions.TryGetValue(refund, out var r) ? r.ReversalOf ?? missing : missing,
                        w.ClearingMxn, w.FeeIncomeMxn, "refused in test"));
            case 0:
            case 1:
                var from = Wallet();
                var hold = random.Next(3) == 0;
                var review = hold && random.Next(2) == 0;
                // A hold for review is the payer's own two-phase transfer (with an expiry) or one that monitoring made (none).
                return new(new MoneyCommand.Transfer(from, random.Next(10) == 0 ? from : Wallet(), Amount(Mxn), hold), HeldForReview: review,
                    PayerHold: hold && (!review || random.Next(2) == 0));
            case 2:
                return new(new MoneyCommand.Capture(Pick(random.Next(4) == 0 ? holds : open, missing), random.Next(2) == 0 ? null : Amount(Mxn, 800)));
            case 3:
                return new(new MoneyCommand.Release(Pick(random.Next(4) == 0 ? holds : open, missing),
                    random.Next(2) == 0 ? MoneyCommand.Release.Voided : MoneyCommand.Release.Expired));
            case 4:
                return new(new MoneyCommand.Deposit(w.SettlementMxn, Wallet(), Amount(Mxn, 5_000)));
            case 5:
                return new(new MoneyCommand.Withdraw(Wallet(), Amount(Mxn)), HeldForReview: random.Next(3) == 0);
            case 6:
            {
                var withdrawal = Pick<TransactionState?>(withdrawals, null);
                return new(new MoneyCommand.SettlePayout(withdrawal?.Id ?? missing, random.Next(5) == 0 ? missing : withdrawal?.PayoutReference ?? missing, w.SettlementMxn));
            }
            case 7:
            {
                var withdrawal = Pick<TransactionState?>(withdrawals, null);
                return new(new MoneyCommand.RejectPayout(withdrawal?.Id ?? missing, withdrawal?.PayoutReference ?? missing, "rejected in test"));
            }
            case 8:
                return new(new MoneyCommand.RetryPayout(Pick(withdrawals.Select(x => x.Id), missing), Guid.CreateVersion7()));
            case 9:
                return new(new MoneyCommand.Reverse(Pick(transfers, missing)));
            case 10:
                return new(new MoneyCommand.Adjust(Wallet(), w.AdjustmentsMxn, random.Next(0, 20_000)));
            case 11:
            {
                // A fresh quote, or one already spent: the lock decides, and the planner is told the same.
                var spentQuote = quotes.Keys.FirstOrDefault(q => !quotes[q]);
                var usable = random.Next(4) != 0 || spentQuote == Guid.Empty;
                var quote = usable ? Guid.CreateVersion7() : spentQuote;
                if (usable)
                {
                    fresh.Add(quote);
                }
                return new(new MoneyCommand.Convert(Wallet(), w.FxMxn, new Money(2_000, Mxn), w.FxUsd, w.Wallets[^1], new Money(100, Usd), usable), quote);
            }
            default:
                return new(new MoneyCommand.SetFloor(Wallet(), random.Next(3) == 0 ? random.Next(0, 10_000) : 0));
        }
    }

    private static async Task<(Dictionary<Guid, AccountState>, Dictionary<Guid, TransactionState>, Dictionary<Guid, bool>)> ReadAsync(TestApp app) =>
        await app.WithDbAsync(async db =>
        {
            // The engine's own reading of rows into states: the test compares decisions, not two copies of that mapping.
            var accounts = (await db.Accounts.AsNoTracking().ToListAsync()).ToDictionary(a => a.Id, LockedRows.StateOf);
            var rows = await db.Transactions.AsNoTracking().ToListAsync();
            // A payment's refunds not failed, as the engine sums them under lock.
            var refunded = rows.Where(t => t.Type == "REFUND" && t.Status != "FAILED").GroupBy(t => t.ReversalOfId!.Value)
                .ToDictionary(g => g.Key, g => (g.Sum(t => t.Amount), g.Sum(t => t.FeeAmount ?? 0)));
            var transactions = rows.ToDictionary(t => t.Id, t => LockedRows.StateOf(t, refunded.GetValueOrDefault(t.Id)));
            var quotes = await db.FxQuotes.AsNoTracking().ToDictionaryAsync(q => q.Id, q => q.UsedAt == null);
            return (accounts, transactions, quotes);
        });

    private static Task<Guid> NewLoanAccountAsync(TestApp app, Guid borrower) =>
        app.WithDbAsync(db => Finsoft.Api.Features.Credit.LoanAccounts.EnsureAsync(db, Guid.NewGuid(), borrower, Mxn, DateTime.UtcNow, CancellationToken.None));

    private static async Task<World> WorldAsync(TestApp app)
    {
        var api = app.Api();
        var admin = await api.AdminAsync();
        var wallets = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var customer = await api.RegisterAsync();
            wallets.Add(await api.CreateAccountAsync(customer.Token));
            wallets.Add(await api.CreateAccountAsync(customer.Token));
            await api.DepositAsync(admin.Token, wallets[^1], "100.00");
        }
        var usdOwner = await api.RegisterAsync();
        var usdWallet = await api.CreateAccountAsync(usdOwner.Token, "USD");
        var system = app.Services.GetRequiredService<SystemAccounts>();
        var world = new World(app, new CurrentUser(admin.UserId, Roles.Admin, Guid.Empty), wallets,
            await system.EnsureAsync(SystemAccounts.BankSettlement, Mxn, CancellationToken.None),
            await system.EnsureAsync(SystemAccounts.Adjustments, Mxn, CancellationToken.None),
            await system.EnsureAsync(SystemAccounts.FxConversion, Mxn, CancellationToken.None),
            await system.EnsureAsync(SystemAccounts.FxConversion, Usd, CancellationToken.None))
        {
            ClearingMxn = await system.EnsureAsync(SystemAccounts.ProviderClearing, Mxn, CancellationToken.None),
            FeeIncomeMxn = await system.EnsureAsync(SystemAccounts.FeeIncome, Mxn, CancellationToken.None),
            RetainedEarningsMxn = await system.EnsureAsync(SystemAccounts.RetainedEarnings, Mxn, CancellationToken.None),
            LoanFeeIncomeMxn = await system.EnsureAsync(SystemAccounts.LoanFeeIncome, Mxn, CancellationToken.None),
            LoanInterestIncomeMxn = await system.EnsureAsync(SystemAccounts.LoanInterestIncome, Mxn, CancellationToken.None),
            Loans = [await NewLoanAccountAsync(app, admin.UserId), await NewLoanAccountAsync(app, admin.UserId)],
        };
        // The USD wallet receives conversions; any other command that picks it meets a currency refusal.
        return world with { Wallets = [.. wallets, usdWallet] };
    }
}

public sealed class EngineTestsOnSqlite() : EngineTests(DatabaseKind.Sqlite);

public sealed class EngineTestsOnPostgres() : EngineTests(DatabaseKind.Postgres), IPostgresTests;
