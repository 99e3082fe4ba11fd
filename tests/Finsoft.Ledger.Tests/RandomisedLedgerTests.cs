namespace Finsoft.Ledger.Tests;

/// <summary>
/// Drives random sequences of deposits, transfers, holds, settlements, releases and adjustments
/// through the core's rules (JournalEntry, AccountBalance, Money) and checks every invariant after
/// every step: wallets cover their holds, every balance equals its postings, every currency's
/// postings sum to zero, and a refused operation changes nothing.
/// </summary>
public class RandomisedLedgerTests
{
    private sealed class Book(Currency currency, int wallets)
    {
        public readonly Currency Currency = currency;
        public readonly Guid Cash = Guid.NewGuid(); // debit-normal asset
        public readonly Guid Equity = Guid.NewGuid(); // credit-normal
        public readonly List<Guid> Wallets = Enumerable.Range(0, wallets).Select(_ => Guid.NewGuid()).ToList(); // credit-normal
        public readonly Dictionary<Guid, AccountBalance> Balances = [];
        public readonly List<JournalEntry> Journal = [];

        public bool IsWallet(Guid id) => Wallets.Contains(id);

        private long NormalDelta(Posting p) => p.AccountId == Cash ? p.Amount : -p.Amount;

        /// <summary>Applies an entry and hold changes atomically, as the store's transaction does.</summary>
        public bool TryPost(JournalEntry? entry, params (Guid Account, long Held)[] holds)
        {
            var next = new Dictionary<Guid, AccountBalance>(Balances);
            var changes = (entry?.Postings.Select(p => (p.AccountId, Delta: NormalDelta(p), Held: 0L)) ?? [])
                .Concat(holds.Select(h => (h.Account, Delta: 0L, h.Held)))
                .GroupBy(c => c.Item1);
            foreach (var change in changes)
            {
                var applied = next.GetValueOrDefault(change.Key).Apply(change.Sum(c => c.Delta), change.Sum(c => c.Held), IsWallet(change.Key) ? 0 : null);
                if (!applied.IsSuccess)
                {
                    return false;
                }
                next[change.Key] = applied.Value;
            }
            foreach (var (id, balance) in next)
            {
                Balances[id] = balance;
            }
            if (entry is not null)
            {
                Journal.Add(entry);
            }
            return true;
        }

        public void AssertInvariants()
        {
            foreach (var wallet in Wallets)
            {
                var b = Balances.GetValueOrDefault(wallet);
                Assert.True(b.Held >= 0 && b.Balance >= b.Held, $"wallet {b}");
            }
            var sums = Journal.SelectMany(e => e.Postings).GroupBy(p => p.AccountId).ToDictionary(g => g.Key, g => g.Sum(NormalDelta));
            foreach (var (id, balance) in Balances)
            {
                Assert.Equal(sums.GetValueOrDefault(id), balance.Balance);
            }
            Assert.Equal(0, Journal.SelectMany(e => e.Postings).Sum(p => (decimal)p.Amount));
        }
    }

    [Theory]
    [InlineData(1, "MXN")]
    [InlineData(2, "JPY")]
    [InlineData(3, "KWD")]
    [InlineData(4, "USD")]
    public void Random_operations_keep_every_invariant(int seed, string code)
    {
        var random = new Random(seed);
        var book = new Book(Currency.Get(code), wallets: 5);
        var holds = new List<(Guid Wallet, long Amount)>();
        for (var step = 0; step < 5_000; step++)
        {
            var wallet = book.Wallets[random.Next(book.Wallets.Count)];
            var other = book.Wallets[random.Next(book.Wallets.Count)];
            var amount = new Money(random.NextInt64(1, 50_000), book.Currency);
            var before = new Dictionary<Guid, AccountBalance>(book.Balances);
            var journalBefore = book.Journal.Count;
            bool posted;
            switch (random.Next(6))
            {
                case 0:
                    posted = book.TryPost(JournalEntry.Move(book.Cash, wallet, amount));
                    Assert.True(posted, "a deposit is always accepted");
                    break;
                case 1:
                    posted = wallet != other && book.TryPost(JournalEntry.Move(wallet, other, amount));
                    break;
                case 2:
                    posted = book.TryPost(null, (wallet, amount.Minor));
                    if (posted)
                    {
                        holds.Add((wallet, amount.Minor));
                    }
                    break;
                case 3 when holds.Count > 0:
                {
                    var hold = holds[random.Next(holds.Count)];
                    posted = book.TryPost(JournalEntry.Move(hold.Wallet, book.Cash, new Money(hold.Amount, book.Currency)), (hold.Wallet, -hold.Amount));
                    Assert.True(posted, "settling a hold always succeeds");
                    holds.Remove(hold);
                    break;
                }
                case 4 when holds.Count > 0:
                {
                    var hold = holds[random.Next(holds.Count)];
                    posted = book.TryPost(null, (hold.Wallet, -hold.Amount));
                    Assert.True(posted, "releasing a hold always succeeds");
                    holds.Remove(hold);
                    break;
                }
                default:
                    posted = random.Next(2) == 0
                        ? book.TryPost(JournalEntry.Move(book.Equity, wallet, amount))
                        : book.TryPost(JournalEntry.Move(wallet, book.Equity, amount));
                    break;
            }
            if (!posted)
            {
                Assert.Equal(before, book.Balances);
                Assert.Equal(journalBefore, book.Journal.Count);
            }
            book.AssertInvariants();
        }
        Assert.Equal(holds.GroupBy(h => h.Wallet).ToDictionary(g => g.Key, g => g.Sum(h => h.Amount)),
            book.Wallets.Where(w => book.Balances.GetValueOrDefault(w).Held > 0).ToDictionary(w => w, w => book.Balances[w].Held));
    }

    [Fact]
    public void A_wallet_refuses_to_go_below_its_holds_or_overflow()
    {
        var balance = new AccountBalance(100, 40);
        Assert.False(balance.Apply(-61, 0, floor: 0).IsSuccess);
        Assert.True(balance.Apply(-60, 0, floor: 0).IsSuccess);
        Assert.False(balance.Apply(0, 61, floor: 0).IsSuccess);
        Assert.False(balance.Apply(0, -41, floor: 0).IsSuccess);
        Assert.True(balance.Apply(-1_000, 0, floor: null).IsSuccess);
        Assert.Equal(LedgerErrorCode.Overflow, new AccountBalance(long.MaxValue, 0).Apply(1, 0, floor: null).Error!.Code);
    }

    [Fact]
    public void A_floor_is_a_minimum_balance_or_an_overdraft_line()
    {
        var balance = new AccountBalance(100, 40);
        Assert.True(balance.Apply(-10, 0, floor: 50).IsSuccess);
        Assert.False(balance.Apply(-11, 0, floor: 50).IsSuccess);
        Assert.True(balance.Apply(-560, 0, floor: -500).IsSuccess);
        Assert.False(balance.Apply(-561, 0, floor: -500).IsSuccess);
        Assert.False(balance.Apply(0, 561, floor: -500).IsSuccess);
    }
}
