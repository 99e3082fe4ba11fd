using Finsoft.Api.Features.Aml;
using Finsoft.Api.Features.Risk;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// One review and its decision through <c>POST /reviews/{id}/decision</c>: a held transaction is approved (it completes) or
/// rejected (it fails and its money returns); a match is dismissed, or confirmed by two analysts (four eyes).
/// </summary>
[Authorize(Policy = ConsoleSetup.Policies.Insights)]
public sealed class ReviewModel(FinsoftDb db) : FormPageModel
{
    public Reviews.ReviewDto? Review { get; private set; }

    public IReadOnlyList<(string Value, string Label)> Decisions => Review?.Kind == ReviewKind.Transaction
        ? [(Reviews.Approve, "Approve: the transaction completes"), (Reviews.Reject, "Reject: it fails and the money returns")]
        : [(Reviews.Dismiss, "Dismiss: not the listed party"), (Reviews.Confirm, "Confirm: the listed party (a second analyst confirms too)")];

    public Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => ShowAsync(id, ct);

    public async Task<IActionResult> OnPostAsync(Guid id, string? decision, string? note, [FromServices] UnitOfWork work, [FromServices] MoneyEngine engine,
        [FromServices] CustomerRisk risk, [FromServices] AuditTrail audit, [FromServices] TimeProvider time, CancellationToken ct)
    {
        Tell(await Reviews.Decide(id, new Reviews.DecisionRequest(decision, note), User, db, work, engine, risk, audit, time, ct),
            answer => $"Decided: the review is now {Answers.Read<Reviews.ReviewDto>(answer).Status.Replace('_', ' ')}.");
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var answer = await Reviews.Get(id, db, ct);
        if (!Answers.IsSuccess(answer))
        {
            return NotFound();
        }
        Review = Answers.Read<Reviews.ReviewDto>(answer);
        return Page();
    }
}
