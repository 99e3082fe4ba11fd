using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.ReadReplica;

namespace Finsoft.Api.Features.Reports;

public static class ReportsEndpoints
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(Policies.Insights).ProducesError(400, 401, 403, 422)
            .ReadsFromReplica();
        reports.MapGet("/trial-balance", AccountingReports.GetTrialBalance).Produces<AccountingReports.TrialBalance>();
        reports.MapGet("/balance-sheet", AccountingReports.GetBalanceSheet).Produces<AccountingReports.BalanceSheet>();
        reports.MapGet("/income-statement", AccountingReports.GetIncomeStatement).Produces<AccountingReports.IncomeStatement>();
        reports.MapGet("/cash-flow", AccountingReports.GetCashFlow).Produces<AccountingReports.CashFlow>();

        var accounts = app.MapGroup("/api/v1/accounts").WithTags("Accounts").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401);
        accounts.MapGet("/{id:guid}/statement", Statement.Handle).ReadsFromReplica().Produces<Statement.Body>().Produces<string>(200, "text/csv").ProducesError(404, 422);
        accounts.MapGet("/biggest", BiggestAccounts.Handle).ReadsFromReplica().Produces<List<AccountDto>>();
        return app;
    }
}
