using Finsoft.Api.Features.Credit;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>One loan and its schedule month by month (<c>/credit/loans/{id}</c> and its schedule).</summary>
[Authorize(Policy = ConsoleSetup.Policies.Insights)]
public sealed class LoanModel(FinsoftDb db) : HandledPageModel
{
    public Loans.LoanDto? Loan { get; private set; }

    public Loans.ScheduleDto? Schedule { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var loan = await Loans.Get(id, HttpContext, db, ct);
        if (!Answers.IsSuccess(loan))
        {
            return NotFound();
        }
        Loan = Answers.Read<Loans.LoanDto>(loan);
        Schedule = Answers.Read<Loans.ScheduleDto>(await Loans.Schedule(id, HttpContext, db, ct));
        return Page();
    }
}
