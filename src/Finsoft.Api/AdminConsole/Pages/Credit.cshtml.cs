using Finsoft.Api.Features.Credit;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// Credit: the product catalogue (<c>/credit/products</c>; an admin adds a product or withdraws one) and the loan book
/// (<c>/credit/loans</c>), the newest first, each loan opening its schedule.
/// </summary>
[Authorize(Policy = ConsoleSetup.Policies.Insights)]
public sealed class CreditModel(FinsoftDb db, TimeProvider time) : FormPageModel
{
    public static readonly string[] Grades = ["A", "B", "C", "D"];

    public IReadOnlyList<Products.ProductDto> Catalogue { get; private set; } = [];

    public IReadOnlyList<Loans.LoanDto> Book { get; private set; } = [];

    public string? NextLoans { get; private set; }

    public Task OnGetAsync(string? cursor, CancellationToken ct) => ShowAsync(cursor, ct);

    public async Task<IActionResult> OnPostProductAsync(string? name, string? currency, string? minAmount, string? maxAmount, int? minTermMonths,
        int? maxTermMonths, Dictionary<string, string>? apr, string? originationFee, string? amortization, int? graceDays, string? lateFee,
        [FromServices] AuditTrail audit, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin))
        {
            return Forbid(ConsoleSetup.Scheme);
        }
        // A grade left empty is not offered.
        var aprByGrade = (apr ?? []).Where(g => Grades.Contains(g.Key) && !string.IsNullOrWhiteSpace(g.Value)).ToDictionary(g => g.Key, g => g.Value.Trim());
        var request = new Products.Request(name, currency?.Trim().ToUpperInvariant(), minAmount, maxAmount, minTermMonths, maxTermMonths, aprByGrade,
            originationFee, amortization, graceDays, lateFee);
        Tell(await Products.Create(request, User, db, audit, time, ct), answer => $"{Answers.Read<Products.ProductDto>(answer).Name} is offered from now on.");
        return await AnsweredAsync(() => ShowAsync(null, ct));
    }

    public async Task<IActionResult> OnPostArchiveAsync(Guid id, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin))
        {
            return Forbid(ConsoleSetup.Scheme);
        }
        Tell(await Products.Archive(id, User, db, audit, time, ct), _ => "Withdrawn: no new offers; its loans run on.");
        return await AnsweredAsync(() => ShowAsync(null, ct));
    }

    private async Task ShowAsync(string? cursor, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        Catalogue = Answers.Read<List<Products.ProductDto>>(await Products.List(PageRequest.MaxLimit, null, Request, db, ct));
        (Book, NextLoans) = Listed<Loans.LoanDto>(await Loans.List(25, cursor, HttpContext, db, ct));
    }
}
