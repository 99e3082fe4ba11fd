using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;
using Finsoft.Ledger;
using Finsoft.Ledger.Credit;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>Loan products, offers per grade, and loans on the ledger: payout, due-date debits, lateness and its fee, early payoff.</summary>
public abstract class CreditLoanTests(DatabaseKind kind)
{
    private static readonly DateTimeOffset Start = new(2027, 1, 10, 10, 0, 0, TimeSpan.Zero);

    private static object Product(string min = "1000.00", string max = "100000.00", int minTerm = 3, int maxTerm = 24, string fee = "100.00",
        string amortization = "equal_installments", int graceDays = 5, string lateFee = "150.00") => new
    {
        name = "Personal loan", currency = "MXN", min_amount = min, max_amount = max, min_term_months = minTerm, max_term_months = maxTerm,
        apr_by_grade = new Dictionary<string, string> { ["A"] = "0.12", ["B"] = "0.18", ["C"] = "0.24", ["D"] = "0.36" },
        origination_fee = fee, amortization, grace_days = graceDays, late_fee = lateFee,
    };

    private sealed class World(TestApp app, TestClock clock, ApiClient.Session customer, ApiClient.Session other, Guid wallet, Guid otherWallet)
        : IAsyncDisposable
    {
        public TestApp App { get; } = app;
        public ApiClient Api { get; } = app.Api();
        public TestClock Clock { get; } = clock;
        public ApiClient.Session Customer { get; private set; } = customer;
        public ApiClient.Session Other { get; private set; } = other;
        public Guid Wallet { get; } = wallet;
        public Guid OtherWallet { get; } = otherWallet;

        public async Task<string> AdminAsync() => (await Api.AdminAsync()).Token;

        public async Task<string> AnalystAsync(string admin) => (await Api.CreateUserAsync(admin, "analyst")).Token;

        /// <summary>Moves the service's clock on; access tokens minted before are then stale, so everyone signs in again.</summary>
        public async Task AdvanceAsync(TimeSpan by)
        {
            Clock.Advance(by);
            Customer = await Api.LoginAsync(Customer.Email, Customer.Password);
            Other = await Api.LoginAsync(Other.Email, Other.Password);
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private async Task<World> StartAsync(object? product = null)
    {
        var clock = new TestClock(Start);
        var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Finsoft:Credit:PollMilliseconds"] = "50" },
            services: s => s.AddSingleton<TimeProvider>(clock));
        var api = app.Api();
        var (customer, other, admin) = (await api.RegisterAsync(), await api.RegisterAsync(), await api.AdminAsync());
        var (wallet, otherWallet) = (await api.CreateAccountAsync(customer.Token), await api.CreateAccountAsync(other.Token));
        await api.DepositAsync(admin.Token, wallet, "5000.00");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/products", product ?? Product(), admin.Token);
        return new World(app, clock, customer, other, wallet, otherWallet);
    }

    /// <summary>A score for the customer, its grade set by an analyst's review so the test knows it.</summary>
    private static async Task<Guid> GradedScoreAsync(World world, string grade, object? application = null)
    {
        var score = await CreditScoreTests.ScoreAsync(world.Api, world.Customer.Token, application ?? CreditScoreTests.Application(requested: "12000.00", term: 12));
        var id = score.GetProperty("id").GetGuid();
        var admin = await world.AdminAsync();
        await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/credit/scores/{id}/review",
            new { decision = "override", grade, note = "Set by the test." }, await world.AnalystAsync(admin));
        return id;
    }

    private static async Task<JsonElement> OfferAsync(World world, string grade = "A") =>
        (await world.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/offers",
            new { score_id = await GradedScoreAsync(world, grade) }, world.Customer.Token))[0];

    private static async Task<JsonElement> AcceptAsync(World world, JsonElement offer, string? key = null) =>
        await world.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/credit/offers/{offer.GetProperty("id").GetGuid()}/accept",
            new { account_id = world.Wallet }, world.Customer.Token, key ?? Guid.NewGuid().ToString());

    private static Task<JsonElement> ScheduleAsync(World world, Guid loan) =>
        world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/loans/{loan}/schedule", token: world.Customer.Token);

    private static async Task<JsonElement> MonthAsync(World world, Guid loan, int number, string status)
    {
        for (var wait = 0; wait < 300; wait++)
        {
            var month = (await ScheduleAsync(world, loan)).GetProperty("installments")[number - 1];
            if (month.GetProperty("status").GetString() == status)
            {
                return month;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Installment {number} of loan {loan} never became {status}: {(await ScheduleAsync(world, loan)).GetProperty("installments")[number - 1]}");
    }

    private static async Task<Dictionary<string, string>> IncomeAsync(World world)
    {
        var statement = await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/income-statement?currency=MXN", token: await world.AdminAsync());
        return statement.GetProperty("income").EnumerateArray().ToDictionary(l => l.GetProperty("account").GetString()!, l => l.GetProperty("amount").GetString()!);
    }

    private static async Task AssertBooksBalanceAsync(World world, string loansReceivable)
    {
        Assert.True((await world.Api.VerifyLedgerAsync()).GetProperty("ok").GetBoolean());
        var sheet = await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/balance-sheet?currency=MXN", token: await world.AdminAsync());
        Assert.True(sheet.GetProperty("balanced").GetBoolean());
        Assert.Equal(loansReceivable, sheet.GetProperty("assets").EnumerateArray().Single(l => l.GetProperty("account").GetString() == "loans_receivable")
            .GetProperty("amount").GetString());
    }

    [DbFact]
    public async Task Offers_are_priced_by_grade_and_none_are_made_for_grade_e_an_expired_score_or_a_term_outside_the_product()
    {
        await using var world = await StartAsync();
        var expected = LoanSchedule.Build(new Money(1_200_000, Currency.Get("MXN")), 0.12m, 12, Amortization.EqualInstallments, DateOnly.FromDateTime(Start.UtcDateTime)).Value;

        var a = await OfferAsync(world, "A");
        var d = await OfferAsync(world, "D");

        Assert.Equal(("A", "0.12", "12000.00", 12), (a.GetProperty("grade").GetString(), a.GetProperty("apr").GetString(), a.GetProperty("amount").GetString(),
            a.GetProperty("term_months").GetInt32()));
        Assert.Equal("1066.19", a.GetProperty("installment").GetString()); // 1,200,000 · 0.01 / (1 − 1.01⁻¹²) = 106,618.55 minor units
        Assert.Equal(Money.Format(expected.TotalInterest, Currency.Get("MXN")), a.GetProperty("total_interest").GetString());
        Assert.Equal(Money.Format(expected.TotalInterest + 10_000, Currency.Get("MXN")), a.GetProperty("total_cost").GetString());
        Assert.Equal("open", a.GetProperty("status").GetString());
        Assert.Equal("0.36", d.GetProperty("apr").GetString());
        Assert.True(decimal.Parse(d.GetProperty("installment").GetString()!) > 1066.19m);

        var e = await world.Api.PostAsync("/api/v1/credit/offers", new { score_id = await GradedScoreAsync(world, "E") }, world.Customer.Token);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.StatusCode);
        Assert.Equal("credit_declined", (await ApiClient.BodyAsync(e)).GetProperty("error_code").GetString());

        var longTerm = await GradedScoreAsync(world, "A", CreditScoreTests.Application(requested: "12000.00", term: 36));
        var outside = await world.Api.PostAsync("/api/v1/credit/offers", new { score_id = longTerm }, world.Customer.Token);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, outside.StatusCode);
        Assert.Contains("term_months must be from 3 to 24", (await ApiClient.BodyAsync(outside)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var small = await GradedScoreAsync(world, "A", CreditScoreTests.Application(requested: "500.00", term: 12));
        await ApiClient.AssertProblemAsync(await world.Api.PostAsync("/api/v1/credit/offers", new { score_id = small }, world.Customer.Token),
            HttpStatusCode.UnprocessableEntity);

        var aging = await GradedScoreAsync(world, "A");
        await world.AdvanceAsync(TimeSpan.FromDays(31));
        var expired = await world.Api.PostAsync("/api/v1/credit/offers", new { score_id = aging }, world.Customer.Token);
        Assert.Equal(HttpStatusCode.Conflict, expired.StatusCode);
        Assert.Equal("score_expired", (await ApiClient.BodyAsync(expired)).GetProperty("error_code").GetString());
        await ApiClient.AssertProblemAsync(await world.Api.PostAsync("/api/v1/credit/offers", new { score_id = aging }, world.Other.Token), HttpStatusCode.NotFound);
        Assert.Equal("expired", (await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/offers/{a.GetProperty("id").GetGuid()}",
            token: world.Customer.Token)).GetProperty("status").GetString());
        await ApiClient.AssertProblemAsync(await world.Api.GetAsync($"/api/v1/credit/offers/{a.GetProperty("id").GetGuid()}", world.Other.Token), HttpStatusCode.NotFound);
    }

    [DbFact]
    public async Task Accepting_an_offer_pays_the_loan_out_on_the_ledger_with_its_schedule_once()
    {
        await using var world = await StartAsync();
        var offer = await OfferAsync(world);
        var key = Guid.NewGuid().ToString();
        // The product changes after the offer was made: the loan keeps the offer's terms.
        var admin = await world.AdminAsync();
        var product = offer.GetProperty("product_id").GetGuid();
        await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/credit/products/{product}", Product(lateFee: "999.00", graceDays: 1), admin);

        var loan = await AcceptAsync(world, offer, key);

        Assert.Equal(("150.00", 5), (loan.GetProperty("late_fee").GetString(), loan.GetProperty("grace_days").GetInt32()));

        var id = loan.GetProperty("id").GetGuid();
        Assert.Equal(("12000.00", "12000.00", "active"), (loan.GetProperty("principal").GetString(), loan.GetProperty("outstanding").GetString(),
            loan.GetProperty("status").GetString()));
        Assert.Equal((1, "2027-02-10", "1066.19"), (loan.GetProperty("next_installment").GetProperty("number").GetInt32(),
            loan.GetProperty("next_installment").GetProperty("due_on").GetString(), loan.GetProperty("next_installment").GetProperty("amount").GetString()));
        Assert.Equal("16900.00", await world.Api.BalanceAsync(world.Customer.Token, world.Wallet)); // 5,000 + 12,000 − the 100 fee
        var replay = await world.Api.PostAsync($"/api/v1/credit/offers/{offer.GetProperty("id").GetGuid()}/accept", new { account_id = world.Wallet },
            world.Customer.Token, key);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(id, (await ApiClient.BodyAsync(replay)).GetProperty("id").GetGuid());
        var again = await world.Api.PostAsync($"/api/v1/credit/offers/{offer.GetProperty("id").GetGuid()}/accept", new { }, world.Customer.Token, Guid.NewGuid().ToString());
        Assert.Equal("offer_accepted", (await ApiClient.BodyAsync(again)).GetProperty("error_code").GetString());
        Assert.Equal("16900.00", await world.Api.BalanceAsync(world.Customer.Token, world.Wallet));

        var schedule = await ScheduleAsync(world, id);
        var months = schedule.GetProperty("installments").EnumerateArray().ToList();
        Assert.Equal(12, months.Count);
        Assert.Equal("12000.00", schedule.GetProperty("total_principal").GetString());
        Assert.Equal(offer.GetProperty("total_interest").GetString(), schedule.GetProperty("total_interest").GetString());
        Assert.All(months, m => Assert.Equal("scheduled", m.GetProperty("status").GetString()));
        Assert.Equal("2028-01-10", months[^1].GetProperty("due_on").GetString());
        Assert.Single((await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/loans", token: world.Customer.Token)).EnumerateArray());

        await ApiClient.AssertProblemAsync(await world.Api.GetAsync($"/api/v1/credit/loans/{id}", world.Other.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await world.Api.GetAsync($"/api/v1/credit/loans/{id}/schedule", world.Other.Token), HttpStatusCode.NotFound);
        await ApiClient.AssertProblemAsync(await world.Api.PostAsync($"/api/v1/credit/loans/{id}/repayments", new { amount = "1.00" }, world.Other.Token),
            HttpStatusCode.NotFound);
        Assert.Empty((await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/loans", token: world.Other.Token)).EnumerateArray());
        var foreign = await OfferAsync(world);
        await ApiClient.AssertProblemAsync(await world.Api.PostAsync($"/api/v1/credit/offers/{foreign.GetProperty("id").GetGuid()}/accept",
            new { account_id = world.OtherWallet }, world.Other.Token), HttpStatusCode.NotFound);
        await world.AdvanceAsync(TimeSpan.FromDays(8));
        var lapsed = await world.Api.PostAsync($"/api/v1/credit/offers/{foreign.GetProperty("id").GetGuid()}/accept", new { }, world.Customer.Token);
        Assert.Equal("offer_expired", (await ApiClient.BodyAsync(lapsed)).GetProperty("error_code").GetString());

        await AssertBooksBalanceAsync(world, "12000.00");
        Assert.Equal("100.00", (await IncomeAsync(world))["loan_fee_income"]);
    }

    [DbFact]
    public async Task Installments_are_debited_when_due_a_late_one_is_charged_its_fee_and_an_early_payoff_closes_the_loan()
    {
        await using var world = await StartAsync();
        var loan = (await AcceptAsync(world, await OfferAsync(world))).GetProperty("id").GetGuid();

        // Month 1 falls due: its interest (1% of 12,000.00) is charged and the installment debited.
        await world.AdvanceAsync(TimeSpan.FromDays(31));
        var first = await MonthAsync(world, loan, 1, "paid");
        Assert.Equal(("1066.19", "120.00", "0.00"), (first.GetProperty("paid").GetString(), first.GetProperty("interest").GetString(),
            first.GetProperty("owed").GetString()));
        Assert.Equal("15833.81", await world.Api.BalanceAsync(world.Customer.Token, world.Wallet));

        // The wallet is emptied: month 2 cannot be debited and is late; after the five grace days it is charged the 150.00 fee, once.
        await world.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = world.Wallet, destination_account_id = world.OtherWallet, amount = "15833.81", description = "away" }, world.Customer.Token);
        await world.AdvanceAsync(TimeSpan.FromDays(28));
        var late = await MonthAsync(world, loan, 2, "late");
        Assert.Equal("0.00", late.GetProperty("late_fee").GetString());
        await world.AdvanceAsync(TimeSpan.FromDays(6));
        for (var wait = 0; wait < 300 && (await MonthAsync(world, loan, 2, "late")).GetProperty("late_fee").GetString() == "0.00"; wait++)
        {
            await Task.Delay(50);
        }
        Assert.Equal("150.00", (await MonthAsync(world, loan, 2, "late")).GetProperty("late_fee").GetString());
        await world.AdvanceAsync(TimeSpan.FromDays(1));
        await Task.Delay(300); // another pass: the fee is not charged twice
        Assert.Equal("150.00", (await MonthAsync(world, loan, 2, "late")).GetProperty("late_fee").GetString());

        // Money comes in; the next day's debit pays month 2 with its fee.
        await world.Api.DepositAsync(await world.AdminAsync(), world.Wallet, "20000.00");
        await world.AdvanceAsync(TimeSpan.FromDays(1));
        var paid = await MonthAsync(world, loan, 2, "paid");
        Assert.Equal("150.00", paid.GetProperty("late_fee").GetString());
        Assert.NotEqual(JsonValueKind.Null, paid.GetProperty("late_since").ValueKind);

        // Early payoff: more than is owed is refused; exactly what is owed closes the loan, and the months left are never charged interest.
        var outstanding = (await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/loans/{loan}", token: world.Customer.Token))
            .GetProperty("outstanding").GetString()!;
        var over = decimal.Parse(outstanding, System.Globalization.CultureInfo.InvariantCulture) + 0.01m;
        await ApiClient.AssertProblemAsync(await world.Api.PostAsync($"/api/v1/credit/loans/{loan}/repayments",
            new { amount = over.ToString(System.Globalization.CultureInfo.InvariantCulture) }, world.Customer.Token, Guid.NewGuid().ToString()),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await world.Api.PostAsync($"/api/v1/credit/loans/{loan}/repayments", new { amount = "-5.00" }, world.Customer.Token),
            HttpStatusCode.UnprocessableEntity);
        var payoff = await world.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/credit/loans/{loan}/repayments",
            new { amount = outstanding }, world.Customer.Token, Guid.NewGuid().ToString());
        Assert.Equal(("0.00", "closed"), (payoff.GetProperty("outstanding").GetString(), payoff.GetProperty("loan_status").GetString()));
        var closed = await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/credit/loans/{loan}", token: world.Customer.Token);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        var schedule = await ScheduleAsync(world, loan);
        Assert.All(schedule.GetProperty("installments").EnumerateArray(), m => Assert.Equal("paid", m.GetProperty("status").GetString()));
        Assert.Equal("0.00", schedule.GetProperty("installments")[11].GetProperty("interest").GetString());
        Assert.Equal("12000.00", schedule.GetProperty("total_principal").GetString());
        await ApiClient.AssertProblemAsync(await world.Api.PostAsync($"/api/v1/credit/loans/{loan}/repayments", new { amount = "1.00" }, world.Customer.Token),
            HttpStatusCode.Conflict);

        var charged = schedule.GetProperty("total_interest").GetString()!;
        var income = await IncomeAsync(world);
        Assert.Equal(charged, income["loan_interest_income"]);
        Assert.Equal("250.00", income["loan_fee_income"]); // origination 100 + one late fee 150
        await AssertBooksBalanceAsync(world, "0.00");
        // A paid-off loan counts in the customer's next score; a late month too.
        var rescored = await CreditScoreTests.ScoreAsync(world.Api, world.Customer.Token);
        Assert.Equal((1.0, 1.0), (rescored.GetProperty("features").GetProperty("loans_repaid").GetDouble(),
            rescored.GetProperty("features").GetProperty("late_installments").GetDouble()));
    }

    [DbFact]
    public async Task After_downtime_months_are_caught_up_one_by_one_each_charged_on_the_principal_left()
    {
        await using var world = await StartAsync();
        var loan = (await AcceptAsync(world, await OfferAsync(world))).GetProperty("id").GetGuid();
        var expected = LoanSchedule.Build(new Money(1_200_000, Currency.Get("MXN")), 0.12m, 12, Amortization.EqualInstallments,
            DateOnly.FromDateTime(Start.UtcDateTime)).Value;

        await world.AdvanceAsync(TimeSpan.FromDays(62)); // two months fall due in one pass

        var second = await MonthAsync(world, loan, 2, "paid");
        // Charging both months before collecting either would have charged month 2 on the whole 12,000.00 (120.00).
        Assert.Equal(Money.Format(expected.Installments[1].Interest, Currency.Get("MXN")), second.GetProperty("interest").GetString());
        Assert.Equal("120.00", (await MonthAsync(world, loan, 1, "paid")).GetProperty("interest").GetString());
    }

    [DbFact]
    public async Task One_loan_per_score_affordability_counts_loans_taken_and_a_wallet_that_repays_stays_open()
    {
        await using var world = await StartAsync();
        var admin = await world.AdminAsync();
        await world.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/products", Product(amortization: "equal_principal"), admin);
        var application = CreditScoreTests.Application(requested: "60000.00", term: 12);
        var score = await GradedScoreAsync(world, "A", application);

        var offers = await world.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/offers", new { score_id = score }, world.Customer.Token);
        var again = await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/credit/offers", new { score_id = score }, world.Customer.Token);

        Assert.Equal(2, offers.GetArrayLength());
        Assert.Equal(offers.EnumerateArray().Select(o => o.GetProperty("id").GetGuid()), again.EnumerateArray().Select(o => o.GetProperty("id").GetGuid()));
        Assert.Equal("60000.00", offers[0].GetProperty("amount").GetString());
        await AcceptAsync(world, offers[0]);
        var second = await world.Api.PostAsync($"/api/v1/credit/offers/{offers[1].GetProperty("id").GetGuid()}/accept", new { account_id = world.Wallet },
            world.Customer.Token, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("offer_accepted", (await ApiClient.BodyAsync(second)).GetProperty("error_code").GetString());
        var used = await world.Api.PostAsync("/api/v1/credit/offers", new { score_id = score }, world.Customer.Token);
        Assert.Equal("score_used", (await ApiClient.BodyAsync(used)).GetProperty("error_code").GetString());
        Assert.Single((await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/loans", token: world.Customer.Token)).EnumerateArray());

        // The same application again: half of income less expenses is 6,000.00 a month, and the loan taken already pays about 5,331 of it.
        var rescored = await GradedScoreAsync(world, "A", application);
        var smaller = await world.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/offers", new { score_id = rescored }, world.Customer.Token);
        Assert.All(smaller.EnumerateArray(), o => Assert.True(decimal.Parse(o.GetProperty("installment").GetString()!, System.Globalization.CultureInfo.InvariantCulture) <= 670.00m,
            o.ToString()));

        // The wallet the installments come from cannot be closed while the loan runs, even emptied.
        var balance = await world.Api.BalanceAsync(world.Customer.Token, world.Wallet);
        await world.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/transfer",
            new { origin_account_id = world.Wallet, destination_account_id = world.OtherWallet, amount = balance, description = "away" }, world.Customer.Token);
        var close = await world.Api.SendAsync(HttpMethod.Delete, $"/api/v1/accounts/{world.Wallet}", token: world.Customer.Token);
        Assert.True(close.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.BadRequest, close.StatusCode.ToString());
        Assert.Contains("loan", (await ApiClient.BodyAsync(close)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [DbFact]
    public async Task Products_are_admin_only_and_refuse_terms_that_cannot_work()
    {
        await using var world = await StartAsync();
        var admin = await world.AdminAsync();
        await ApiClient.AssertProblemAsync(await world.Api.PostAsync("/api/v1/credit/products", Product(), world.Customer.Token), HttpStatusCode.Forbidden);
        var bad = new (object Body, string Field)[]
        {
            (Product(min: "5000.00", max: "1000.00"), "max_amount"),
            (Product(minTerm: 12, maxTerm: 6), "max_term_months"),
            (Product(maxTerm: 481), "max_term_months"),
            (Product(fee: "1000.00"), "origination_fee"),
            (Product(lateFee: "-1.00"), "late_fee"),
            (Product(amortization: "balloon"), "amortization"),
            (Product(graceDays: -1), "grace_days"),
            (new { name = "x", currency = "MXN", min_amount = "1000", max_amount = "2000", min_term_months = 3, max_term_months = 6,
                apr_by_grade = new Dictionary<string, string> { ["E"] = "0.5" }, amortization = "equal_principal", grace_days = 0 }, "apr_by_grade"),
            (new { name = "x", currency = "MXN", min_amount = "1000", max_amount = "2000", min_term_months = 3, max_term_months = 6,
                apr_by_grade = new Dictionary<string, string> { ["A"] = "twelve" }, amortization = "equal_principal", grace_days = 0 }, "apr_by_grade"),
        };
        foreach (var (body, field) in bad)
        {
            var response = await world.Api.PostAsync("/api/v1/credit/products", body, admin);
            var problem = await ApiClient.BodyAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity && problem.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {problem}");
        }
        var products = await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/products", token: world.Customer.Token);
        var id = Assert.Single(products.EnumerateArray()).GetProperty("id").GetGuid();
        // Grades read back as they were given ("A", not the wire's snake_case "a"), so a product read can be sent back as it is.
        var product = Assert.Single(products.EnumerateArray());
        Assert.Equal("0.12", product.GetProperty("apr_by_grade").GetProperty("A").GetString());
        var resent = new
        {
            name = product.GetProperty("name").GetString(), currency = "MXN", min_amount = product.GetProperty("min_amount").GetString(),
            max_amount = product.GetProperty("max_amount").GetString(), min_term_months = product.GetProperty("min_term_months").GetInt32(),
            max_term_months = product.GetProperty("max_term_months").GetInt32(), apr_by_grade = product.GetProperty("apr_by_grade"),
            origination_fee = product.GetProperty("origination_fee").GetString(), amortization = product.GetProperty("amortization").GetString(),
            grace_days = product.GetProperty("grace_days").GetInt32(), late_fee = product.GetProperty("late_fee").GetString(),
        };
        await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/credit/products/{id}", resent, admin);
        var replaced = await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/credit/products/{id}", Product(amortization: "equal_principal"), admin);
        Assert.Equal("equal_principal", replaced.GetProperty("amortization").GetString());
        await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/credit/products/{id}", token: admin);
        Assert.Empty((await world.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/products", token: world.Customer.Token)).EnumerateArray());
        var noProduct = await world.Api.PostAsync("/api/v1/credit/offers", new { score_id = await GradedScoreAsync(world, "A") }, world.Customer.Token);
        Assert.Equal("no_offer", (await ApiClient.BodyAsync(noProduct)).GetProperty("error_code").GetString());
    }
}

public sealed class CreditLoanTestsOnSqlite() : CreditLoanTests(DatabaseKind.Sqlite);

public sealed class CreditLoanTestsOnPostgres() : CreditLoanTests(DatabaseKind.Postgres), IPostgresTests;
