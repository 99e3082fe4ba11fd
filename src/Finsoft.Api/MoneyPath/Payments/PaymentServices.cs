using Finsoft.Api.MoneyPath.Providers;
using Finsoft.Api.MoneyPath.Providers.Simulated;

namespace Finsoft.Api.MoneyPath.Payments;

public static class PaymentServices
{
    /// <summary>The providers (the two simulated ones), handing payments to them, and applying their answers.</summary>
    public static IServiceCollection AddPayments(this IServiceCollection services)
    {
        services.AddScoped<IPaymentProvider, SimCardProvider>();
        services.AddScoped<IPaymentProvider, SimBankProvider>();
        services.AddScoped<PaymentProviders>();
        services.AddSingleton<ProviderSecrets>();
        services.AddScoped<ProviderAnswers>();
        services.AddSingleton<PaymentSubmission>();
        services.AddHostedService(s => s.GetRequiredService<PaymentSubmission>());
        services.AddHttpClient(SimulatedEventSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<SimulatedEventSender>();
        services.AddHostedService(s => s.GetRequiredService<SimulatedEventSender>());
        return services;
    }
}
