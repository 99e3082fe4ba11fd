using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Credit;

/// <summary>Credit: scores and their review, loan products, offers, and loans on the ledger.</summary>
public static class CreditEndpoints
{
    public static IServiceCollection AddCredit(this IServiceCollection services, FinsoftOptions options)
    {
        services.AddSingleton(CreditModel.Load(options.Credit));
        return services;
    }

    public static IEndpointRouteBuilder MapCredit(this IEndpointRouteBuilder app)
    {
        var credit = app.MapGroup("/api/v1/credit").WithTags("Credit").ProducesError(400, 401, 403);

        var scores = credit.MapGroup("/scores").RequireAuthorization(Policies.Credit);
        scores.MapPost("/", Scores.Create).Produces<Scores.ScoreDto>(201).ProducesError(404, 422);
        scores.MapGet("/", Scores.List).Produces<List<Scores.ScoreDto>>().ProducesError(422);
        scores.MapGet("/{id:guid}", Scores.Get).Produces<Scores.ScoreDto>().ProducesError(404);
        scores.MapPost("/{id:guid}/review-request", Scores.RequestReview).Produces<Scores.ScoreDto>(202).ProducesError(404, 409, 422);
        scores.MapPost("/{id:guid}/review", Scores.Review).RequireAuthorization(Policies.Insights).Produces<Scores.ScoreDto>().ProducesError(404, 409, 422);
        return app;
    }
}
