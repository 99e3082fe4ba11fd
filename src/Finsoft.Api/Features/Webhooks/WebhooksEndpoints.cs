using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Webhooks;

public static class WebhooksEndpoints
{
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var endpoints = app.MapGroup("/api/v1/webhooks/endpoints").WithTags("Webhooks").RequireAuthorization(Policies.MoveMoney).ProducesError(400, 401, 403);
        endpoints.MapPost("/", WebhookEndpoints.Create).Produces<WebhookEndpoints.Response>(201).ProducesError(409, 422);
        endpoints.MapGet("/", WebhookEndpoints.List).Produces<List<WebhookEndpoints.Response>>();
        endpoints.MapGet("/{id:guid}", WebhookEndpoints.Get).Produces<WebhookEndpoints.Response>().ProducesError(404);
        endpoints.MapDelete("/{id:guid}", WebhookEndpoints.Delete).Produces(204).ProducesError(404);
        endpoints.MapPost("/{id:guid}/rotate-secret", WebhookEndpoints.RotateSecret).Produces<WebhookEndpoints.Response>().ProducesError(404);
        endpoints.MapPost("/{id:guid}/enable", WebhookEndpoints.Enable).Produces<WebhookEndpoints.Response>().ProducesError(404);
        endpoints.MapGet("/{id:guid}/deliveries", WebhookDeliveries.List).Produces<List<WebhookDeliveries.Response>>().ProducesError(404);
        endpoints.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/retry", WebhookDeliveries.Retry).Produces<WebhookDeliveries.Response>(202)
            .ProducesError(404, 409);
        return app;
    }
}
