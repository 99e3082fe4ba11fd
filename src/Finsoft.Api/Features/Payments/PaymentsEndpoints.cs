using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Payments;

namespace Finsoft.Api.Features.Payments;

public static class PaymentsEndpoints
{
    public static IEndpointRouteBuilder MapPayments(this IEndpointRouteBuilder app)
    {
        var methods = app.MapGroup("/api/v1/payments/methods").WithTags("Payments").RequireAuthorization(Policies.MoveMoney).ProducesError(400, 401, 403);
        methods.MapPost("/", PaymentMethods.Create).Produces<PaymentMethods.Response>(201).ProducesError(422);
        methods.MapGet("/", PaymentMethods.List).Produces<List<PaymentMethods.Response>>();
        methods.MapDelete("/{id:guid}", PaymentMethods.Delete).Produces(204).ProducesError(404);

        var payments = app.MapGroup("/api/v1/payments").WithTags("Payments").ProducesError(400, 401, 403);
        payments.MapPost("/process", ProcessPayment.Handle).RequireAuthorization(Policies.MoveMoney).WithIdempotencyKey()
            .Produces<PaymentDto>(202).ProducesError(404, 409, 422);
        payments.MapGet("/", PaymentQueries.List).RequireAuthorization(Policies.SignedIn).Produces<List<PaymentDto>>();
        payments.MapGet("/{id:guid}", PaymentQueries.Get).RequireAuthorization(Policies.SignedIn).Produces<PaymentDto>().ProducesError(404);
        payments.MapPost("/{id:guid}/refund", RefundPayment.Handle).RequireAuthorization(Policies.MoveMoney).WithIdempotencyKey()
            .Produces<RefundDto>(202).ProducesError(404, 409, 422);
        payments.MapPost("/webhook/{provider}", ProviderWebhook.Handle).AllowAnonymous().Produces<ProviderWebhook.Response>().ProducesError(404);
        return app;
    }
}
