using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.Features.Psd2;

/// <summary>PSD2 account information for third-party providers, after the Berlin Group NextGenPSD2 model.</summary>
public static class Psd2Endpoints
{
    private const string ForTpps = "For third-party providers, with a token from POST /api/v1/psd2/token; user tokens are refused (403).";

    public static IServiceCollection AddPsd2(this IServiceCollection services, FinsoftOptions options, SigningKey signingKey)
    {
        services.AddTppAuthentication(options, signingKey);
        services.AddScoped<ConsentGate>();
        services.AddSingleton<ConsentExpiry>();
        services.AddHostedService(provider => provider.GetRequiredService<ConsentExpiry>());
        return services;
    }

    public static IEndpointRouteBuilder MapPsd2(this IEndpointRouteBuilder app)
    {
        var psd2 = app.MapGroup("/api/v1/psd2").WithTags("PSD2").ProducesError(400, 401, 403);
        psd2.MapPost("/token", TppTokens.Handle).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).DisableAntiforgery()
            .Accepts<TppTokens.TokenForm>("application/x-www-form-urlencoded").Produces<TppTokens.Response>()
            .Produces<TppTokens.OAuthError>(400).Produces<TppTokens.OAuthError>(401)
            .WithDescription("The OAuth 2.0 client-credentials grant for TPPs: grant_type=client_credentials, the client id and secret by HTTP Basic.");

        var tpps = psd2.MapGroup("/tpps").RequireAuthorization(Policies.Admin);
        tpps.MapPost("/", Tpps.Register).Produces<Tpps.Response>(201).ProducesError(422);
        tpps.MapGet("/", Tpps.List).Produces<List<Tpps.Response>>();
        tpps.MapDelete("/{id:guid}", Tpps.Revoke).Produces<Tpps.Response>().ProducesError(404);

        var consents = psd2.MapGroup("/consents");
        consents.MapPost("/", Consents.Create).RequireAuthorization(Policies.Tpp).WithDescription(ForTpps + " Send TPP-Redirect-URI to be sent back after authorisation.")
            .Produces<Consents.Created>(201).ProducesError(422);
        consents.MapGet("/", Consents.List).RequireAuthorization(Policies.Admin).Produces<List<ConsentDto>>().ProducesError(422);
        consents.MapGet("/{id:guid}", Consents.Get).RequireAuthorization(Policies.TppOrHolder).Produces<ConsentDto>().ProducesError(404);
        consents.MapGet("/{id:guid}/validate", Consents.Validate).RequireAuthorization(Policies.TppOrHolder).Produces<Consents.Validity>().ProducesError(404);
        consents.MapDelete("/{id:guid}", Consents.Delete).RequireAuthorization(Policies.TppOrHolder).Produces(204).ProducesError(404, 409);
        consents.MapPost("/{id:guid}/authorise", Consents.Authorise).RequireAuthorization(Policies.MoveMoney)
            .Produces<ConsentDto>().ProducesError(404, 409, 422);

        var accounts = psd2.MapGroup("/accounts").RequireAuthorization(Policies.Tpp).WithDescription(ForTpps + " Send Consent-ID, and PSU-IP-Address while the customer is present.")
            .ProducesError(429);
        accounts.MapGet("/", AccountInformation.ListAccounts).Produces<AccountInformation.AccountList>();
        accounts.MapGet("/{id:guid}/balances", AccountInformation.ReadBalances).Produces<AccountInformation.BalanceReport>();
        accounts.MapGet("/{id:guid}/transactions", AccountInformation.ListTransactions).Produces<List<MoneyPath.Outbox.TransactionDto>>();

        var mine = app.MapGroup("/api/v1/users/me/consents").WithTags("PSD2").RequireAuthorization(Policies.SignedIn).ProducesError(400, 401);
        mine.MapGet("/", Consents.ListMine).Produces<List<ConsentDto>>().ProducesError(422);
        mine.MapDelete("/{id:guid}", Consents.Delete).WithName("revokeMyConsent").Produces(204).ProducesError(404, 409);
        return app;
    }
}
