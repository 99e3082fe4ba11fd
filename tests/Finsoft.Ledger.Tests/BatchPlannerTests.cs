namespace Finsoft.Ledger.Tests;

/// <summary>
/// Random batches of transfers, holds, captures, voids and commands bound to fail, planned against
/// random account states, checked against what the planner promises: every account keeps its rule,
/// money is conserved per currency, net changes are exactly those of the applied commands, a refused
/// command changes nothing and disturbs no other, the result is that of running the commands in
/// order, a hold is settled at most once, and an atomic batch is all or nothing.
/// </summary>
public class BatchPlannerTests
{
    private static readonly Currency Mxn = Currency.Get("MXN");
    private static readonly Currency Usd = Currency.Get("USD");

    private sealed record Scenario(IReadOnlyList<AccountState> Accounts, IReadOnlyList<LedgerCommand> Commands);

    private static Scenario Generate(Random random)
    {
        var accounts = new List<AccountState>();
        foreach (var currency in new[] { Mxn, Usd })
        {
            // A cash account with no floor, a clearing account with an overdraft line, wallets with 0 or a minimum, one closed.
            accounts.Add(new AccountState(Guid.NewGuid(), currency, DebitNormal: true, IsOpen: true, new AccountBalance(random.Next(0, 5_000), 0), null));
            accounts.Add(new AccountState(Guid.NewGuid(), currency, DebitNormal: false, IsOpen: true, new AccountBalance(-random.Next(0, 300), 0), -500));
            for (var i = 0; i < random.Next(2, 6); i++)
            {
                var floor = random.Next(3) == 0 ? random.Next(1, 100) : 0;
                var held = random.Next(0, 50);
                accounts.Add(new AccountState(Guid.NewGuid(), currency, DebitNormal: false, IsOpen: random.Next(8) != 0,
                    new AccountBalance(floor + held + random.Next(0, 1_000), held), floor));
            }
        }
        var holds = new List<(Guid Id, Guid From, Guid To, Money Amount)>();
        var commands = new List<LedgerCommand>();
        for (var i = 0; i < random.Next(1, 60); i++)
        {
            var from = accounts[random.Next(accounts.Count)];
            var sameCurrency = accounts.Where(a => a.Currency == from.Currency && a.Id != from.Id).ToList();
            var to = random.Next(20) == 0 ? accounts[random.Next(accounts.Count)] : sameCurrency[random.Next(sameCurrency.Count)];
            var amount = new Money(random.Next(1, 700), from.Currency);
            switch (random.Next(7))
            {
                case 0 or 1 or 2:
                    commands.Add(to.Id == from.Id
                        ? LedgerCommand.Transfer(from.Id, Guid.NewGuid(), amount) // to an account nobody has
                        : new LedgerCommand(JournalEntry.Create([Posting.Debit(from.Id, amount), Posting.Credit(to.Id, new Money(amount.Minor, to.Currency))]) is { IsSuccess: true } e ? e.Value : null, []));
                    break;
                case 3:
                    commands.Add(LedgerCommand.Hold(from.Id, amount));
                    holds.Add((Guid.NewGuid(), from.Id, sameCurrency[0].Id, amount));
                    break;
                case 4 or 5 when holds.Count > 0:
                    var hold = holds[random.Next(holds.Count)];
                    var captured = new Money(random.Next(1, (int)hold.Amount.Minor + 1), hold.Amount.Currency);
                    commands.Add(LedgerCommand.Capture(hold.Id, hold.From, hold.To, hold.Amount, captured));
                    break;
                case 6 when holds.Count > 0:
                    var voided = holds[random.Next(holds.Count)];
                    commands.Add(LedgerCommand.Void(voided.Id, voided.From, voided.Amount));
                    break;
                default:
                    commands.Add(LedgerCommand.Transfer(from.Id, Guid.NewGuid(), amount));
                    break;
            }
        }
        return new Scenario(accounts, commands);
    }

    private static Dictionary<Guid, AccountDelta> Expected(Scenario s, BatchPlan plan)
    {
        var byId = s.Accounts.ToDictionary(a => a.Id);
        var net = new Dictionary<Guid, AccountDelta>();
        for (var i = 0; i < s.Commands.Count; i++)
        {
            if (plan.Refusals[i] is not null)
            {
                continue;
            }
            foreach (var p in s.Commands[i].Entries.SelectMany(e => e.Postings))
            {
                var d = net.GetValueOrDefault(p.AccountId, new AccountDelta(p.AccountId, 0, 0));
                net[p.AccountId] = d with { Balance = d.Balance + byId[p.AccountId].BalanceDelta(p) };
            }
            foreach (var h in s.Commands[i].Holds)
            {
                var d = net.GetValueOrDefault(h.AccountId, new AccountDelta(h.AccountId, 0, 0));
                net[h.AccountId] = d with { Held = d.Held + h.Delta };
            }
        }
        return net.Where(d => d.Value.Balance != 0 || d.Value.Held != 0).ToDictionary();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_batches_keep_every_invariant(int seed)
    {
        var random = new Random(seed);
        var refusedSeen = 0;
        for (var round = 0; round < 1_500; round++)
        {
            var s = Generate(random);
            var commands = s.Commands.Where(c => c is not null).ToList();
            s = s with { Commands = commands };
            var plan = BatchPlanner.Plan(s.Accounts, s.Commands);
            var byId = s.Accounts.ToDictionary(a => a.Id);
            refusedSeen += plan.Refusals.Count(r => r is not null);

            // Net changes are exactly those of the applied commands, each account written once, in id order.
            Assert.Equal(Expected(s, plan).OrderBy(d => d.Key).Select(d => d.Value), plan.Deltas);
            Assert.Equal(plan.Deltas.OrderBy(d => d.AccountId).Select(d => d.AccountId).Distinct(), plan.Deltas.Select(d => d.AccountId));

            // Every touched account keeps its rule, and money is conserved per currency.
            foreach (var d in plan.Deltas)
            {
                var a = byId[d.AccountId];
                Assert.True(a.IsOpen);
                var after = new AccountBalance(a.Balance.Balance + d.Balance, a.Balance.Held + d.Held);
                Assert.True(after.Held >= 0 && (a.Floor is null || after.Available >= a.Floor), $"{a} → {after}");
            }
            foreach (var currency in new[] { Mxn, Usd })
            {
                Assert.Equal(0, plan.Deltas.Where(d => byId[d.AccountId].Currency == currency)
                    .Sum(d => byId[d.AccountId].DebitNormal ? d.Balance : -d.Balance));
            }

            // A hold is settled at most once.
            var settledTwice = s.Commands.Where((c, i) => plan.Refusals[i] is null && c.Settles is not null).GroupBy(c => c.Settles).Where(g => g.Count() > 1);
            Assert.Empty(settledTwice);

            // Refused commands changed nothing and disturbed nothing: without them, everything applies the same way.
            var applied = s.Commands.Where((_, i) => plan.Refusals[i] is null).ToList();
            var replan = BatchPlanner.Plan(s.Accounts, applied);
            Assert.All(replan.Refusals, Assert.Null);
            Assert.Equal(plan.Deltas, replan.Deltas);

            // The batch is the commands run in order: a prefix decides exactly as the whole batch did.
            var k = random.Next(s.Commands.Count + 1);
            var prefix = BatchPlanner.Plan(s.Accounts, s.Commands.Take(k).ToList());
            Assert.Equal(plan.Refusals.Take(k).Select(r => r?.Error.Code), prefix.Refusals.Select(r => r?.Error.Code));

            // Atomic: all applied exactly as before, or none and no change.
            var atomic = BatchPlanner.Plan(s.Accounts, s.Commands, atomic: true);
            if (plan.Refusals.All(r => r is null))
            {
                Assert.Equal(plan.Deltas, atomic.Deltas);
            }
            else
            {
                Assert.Empty(atomic.Deltas);
                Assert.All(atomic.Refusals, Assert.NotNull);
                Assert.Single(atomic.Refusals, r => r!.Error.Code != LedgerErrorCode.BatchAborted);
            }
        }
        Assert.True(refusedSeen > 1_000, "the generator must produce refusals to test them");
    }

    [Fact]
    public void One_refused_transfer_does_not_fail_the_others_in_its_batch()
    {
        var poor = new AccountState(Guid.NewGuid(), Mxn, false, true, new AccountBalance(100, 0), 0);
        var rich = new AccountState(Guid.NewGuid(), Mxn, false, true, new AccountBalance(1_000, 0), 0);
        var plan = BatchPlanner.Plan([poor, rich],
        [
            LedgerCommand.Transfer(poor.Id, rich.Id, new Money(60, Mxn)),
            LedgerCommand.Transfer(poor.Id, rich.Id, new Money(60, Mxn)), // only 40 left
            LedgerCommand.Transfer(rich.Id, poor.Id, new Money(500, Mxn)),
            LedgerCommand.Transfer(poor.Id, rich.Id, new Money(60, Mxn)), // now covered
        ]);
        Assert.Equal([false, true, false, false], plan.Refusals.Select(r => r is not null));
        Assert.Equal(poor.Id, plan.Refusals[1]!.AccountId);
        Assert.Equal(LedgerErrorCode.InsufficientFunds, plan.Refusals[1]!.Error.Code);
        Assert.Equal([new AccountDelta(poor.Id, 380, 0), new AccountDelta(rich.Id, -380, 0)], plan.Deltas.OrderBy(d => d.Balance > 0 ? 0 : 1));
        Assert.Equal(new AccountBalance(40, 0), plan.Decisions[0]!.After[poor.Id]);
    }

    [Fact]
    public void A_capture_moves_part_and_releases_the_whole_hold_once()
    {
        var payer = new AccountState(Guid.NewGuid(), Mxn, false, true, new AccountBalance(1_000, 0), 0);
        var payee = new AccountState(Guid.NewGuid(), Mxn, false, true, new AccountBalance(0, 0), 0);
        var holdId = Guid.NewGuid();
        var held = new Money(700, Mxn);
        var plan = BatchPlanner.Plan([payer, payee],
        [
            LedgerCommand.Hold(payer.Id, held),
            LedgerCommand.Transfer(payer.Id, payee.Id, new Money(301, Mxn)), // only 300 available while held
            LedgerCommand.Capture(holdId, payer.Id, payee.Id, held, new Money(250, Mxn)),
            LedgerCommand.Void(holdId, payer.Id, held),
        ]);
        Assert.Equal(LedgerErrorCode.InsufficientFunds, plan.Refusals[1]!.Error.Code);
        Assert.Null(plan.Refusals[2]);
        Assert.Equal(LedgerErrorCode.IllegalTransition, plan.Refusals[3]!.Error.Code);
        Assert.Equal(new AccountBalance(750, 0), plan.Decisions[2]!.After[payer.Id]);
    }

    [Fact]
    public void A_closed_account_or_another_currency_refuses()
    {
        var open = new AccountState(Guid.NewGuid(), Mxn, false, true, new AccountBalance(1_000, 0), 0);
        var closed = open with { Id = Guid.NewGuid(), IsOpen = false, Balance = default };
        var dollars = open with { Id = Guid.NewGuid(), Currency = Usd };
        var plan = BatchPlanner.Plan([open, closed, dollars],
            [LedgerCommand.Transfer(open.Id, closed.Id, new Money(1, Mxn)), LedgerCommand.Transfer(open.Id, dollars.Id, new Money(1, Mxn))]);
        Assert.Equal(new Refusal(closed.Id, LedgerError.AccountNotFound), plan.Refusals[0]);
        Assert.Equal(new Refusal(dollars.Id, LedgerError.CurrencyMismatch), plan.Refusals[1]);
        Assert.Empty(plan.Deltas);
    }
}
