using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Gdpr;

public static class GdprEndpoints
{
    public static IServiceCollection AddGdpr(this IServiceCollection services)
    {
        services.AddSingleton<DataExport>();
        services.AddSingleton<Erasure>();
        services.AddSingleton<DataRequestProcessor>();
        services.AddHostedService(provider => provider.GetRequiredService<DataRequestProcessor>());
        return services;
    }

    public static IEndpointRouteBuilder MapGdpr(this IEndpointRouteBuilder app)
    {
        // Every person may ask about its own data, whatever its role; admins act on everyone's.
        var requests = app.MapGroup("/api/v1/gdpr/data-requests").WithTags("GDPR").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401);
        requests.MapPost("/", DataRequests.Create).Produces<DataRequestDto>(202).ProducesError(403, 404, 409, 422);
        requests.MapGet("/", DataRequests.List).Produces<List<DataRequestDto>>().ProducesError(422);
        requests.MapGet("/{id:guid}", DataRequests.Get).Produces<DataRequestDto>().ProducesError(404);
        requests.MapGet("/{id:guid}/export", DataRequests.Download).Produces(200, contentType: "application/zip").ProducesError(404, 409, 410);
        requests.MapPost("/{id:guid}/process", DataRequests.Process).RequireAuthorization(Policies.Admin).Produces<DataRequestDto>().ProducesError(403, 404, 409);
        requests.MapPost("/{id:guid}/reject", DataRequests.Reject).RequireAuthorization(Policies.Admin).Produces<DataRequestDto>().ProducesError(403, 404, 409, 422);
        return app;
    }
}
