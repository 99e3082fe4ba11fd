using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Aml;

public static class AmlEndpoints
{
    /// <summary>The compliance services: screening (and what it stages), and rescreening on every node.</summary>
    public static IServiceCollection AddAml(this IServiceCollection services)
    {
        services.AddSingleton<WatchlistIndex>();
        services.AddScoped<Screener>();
        services.AddSingleton<RescreeningWorker>();
        services.AddHostedService(s => s.GetRequiredService<RescreeningWorker>());
        return services;
    }

    public static IEndpointRouteBuilder MapAml(this IEndpointRouteBuilder app)
    {
        var aml = app.MapGroup("/api/v1/aml").WithTags("Compliance").ProducesError(400, 401, 403);
        aml.MapPost("/watchlists", Watchlists.Load).RequireAuthorization(Policies.Admin).WithMetadata(new LargeBody(Watchlists.MaxFileBytes))
            .Produces<Watchlists.VersionDto>(201).ProducesError(413, 422);
        aml.MapGet("/watchlists", Watchlists.List).RequireAuthorization(Policies.Insights).Produces<List<Watchlists.VersionDto>>();
        aml.MapPost("/screenings", Screenings.Create).RequireAuthorization(Policies.Insights).Produces<Screenings.Response>(201).ProducesError(404, 422);
        aml.MapGet("/screenings", Screenings.List).RequireAuthorization(Policies.Insights).Produces<List<Screenings.Response>>();
        aml.MapGet("/screenings/{id:guid}", Screenings.Get).RequireAuthorization(Policies.Insights).Produces<Screenings.Response>().ProducesError(404);
        aml.MapPost("/reschedule/{entity_type}/{entity_id:guid}", Rescreening.Reschedule).RequireAuthorization(Policies.Insights)
            .Produces<Rescreening.ScheduleDto>().ProducesError(404, 422);

        var reviews = app.MapGroup("/api/v1/reviews").WithTags("Compliance").RequireAuthorization(Policies.Insights).ProducesError(400, 401, 403);
        reviews.MapGet("/", Reviews.List).Produces<List<Reviews.ReviewDto>>();
        reviews.MapGet("/{id:guid}", Reviews.Get).Produces<Reviews.ReviewDto>().ProducesError(404);
        reviews.MapPost("/{id:guid}/decision", Reviews.Decide).Produces<Reviews.ReviewDto>().ProducesError(404, 409, 422);
        return app;
    }
}
