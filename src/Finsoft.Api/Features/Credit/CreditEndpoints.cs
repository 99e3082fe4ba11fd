using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;

namespace Finsoft.Api.Features.Credit;

/// <summary>Credit: scores and their review, loan products, offers, and loans on the ledger.</summary>
public static class CreditEndpoints
{
    public static IServiceCollection AddCredit(this IServiceCollection services, FinsoftOptions options)
    {
        services.AddSingleton(CreditModel.Load(options.Credit));
        services.AddSingleton<LoanServicing>();
        services.AddHostedService(provider => provider.GetRequiredService<LoanServicing>());
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

        var products = credit.MapGroup("/products").RequireAuthorization(Policies.Credit);
        products.MapPost("/", Products.Create).RequireAuthorization(Policies.Admin).Produces<Products.ProductDto>(201).ProducesError(422);
        products.MapGet("/", Products.List).Produces<List<Products.ProductDto>>();
        products.MapGet("/{id:guid}", Products.Get).Produces<Products.ProductDto>().ProducesError(404);
        products.MapPut("/{id:guid}", Products.Replace).RequireAuthorization(Policies.Admin).Produces<Products.ProductDto>().ProducesError(404, 422);
        products.MapDelete("/{id:guid}", Products.Archive).RequireAuthorization(Policies.Admin).Produces<StatusMessage>().ProducesError(404);

        var offers = credit.MapGroup("/offers").RequireAuthorization(Policies.Credit);
        offers.MapPost("/", Offers.Create).Produces<List<Offers.OfferDto>>(201).Produces<List<Offers.OfferDto>>().ProducesError(404, 409, 422);
        offers.MapGet("/", Offers.List).Produces<List<Offers.OfferDto>>();
        offers.MapGet("/{id:guid}", Offers.Get).Produces<Offers.OfferDto>().ProducesError(404);
        offers.MapPost("/{id:guid}/accept", Loans.Accept).RequireAuthorization(Policies.MoveMoney).WithIdempotencyKey().Produces<Loans.LoanDto>(201).ProducesError(400, 404, 409, 422);

        var loans = credit.MapGroup("/loans").RequireAuthorization(Policies.Credit);
        loans.MapGet("/", Loans.List).Produces<List<Loans.LoanDto>>();
        loans.MapGet("/{id:guid}", Loans.Get).Produces<Loans.LoanDto>().ProducesError(404);
        loans.MapGet("/{id:guid}/schedule", Loans.Schedule).Produces<Loans.ScheduleDto>().ProducesError(404);
        loans.MapPost("/{id:guid}/repayments", Loans.Repay).RequireAuthorization(Policies.MoveMoney).WithIdempotencyKey().Produces<Loans.RepaymentDto>(201).ProducesError(400, 404, 409, 422);
        return app;
    }
}
