using Finsoft.Api.Features.Aml;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>The compliance review queue (<c>GET /reviews</c>): watch-list matches and held transactions, the oldest first.</summary>
[Authorize(Policy = ConsoleSetup.Policies.Insights)]
public sealed class ReviewsModel(FinsoftDb db) : FormPageModel
{
    public string Status { get; private set; } = ReviewStatus.Open;

    public string? Kind { get; private set; }

    public IReadOnlyList<Reviews.ReviewDto> Queue { get; private set; } = [];

    public string? Next { get; private set; }

    public async Task OnGetAsync(string? status, string? kind, string? cursor, CancellationToken ct)
    {
        (Status, Kind) = (string.IsNullOrEmpty(status) ? ReviewStatus.Open : status, string.IsNullOrEmpty(kind) ? null : kind);
        var answer = await Reviews.List(Status, Kind, 25, cursor, Request, db, ct);
        (Queue, Next) = Listed<Reviews.ReviewDto>(answer);
    }
}
