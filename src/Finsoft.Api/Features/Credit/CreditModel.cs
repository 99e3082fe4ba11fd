using Finsoft.Api.Host;
using Finsoft.Credit;

namespace Finsoft.Api.Features.Credit;

/// <summary>The scorecard in force, read once at start; a missing or malformed model file stops the start with the reason.</summary>
public sealed class CreditModel(Scorecard scorecard)
{
    public Scorecard Scorecard { get; } = scorecard;

    public static string ShippedPath => Path.Combine(AppContext.BaseDirectory, "Features", "Credit", "Model", "scorecard.json");

    public static CreditModel Load(CreditOptions options)
    {
        var path = options.ModelPath ?? ShippedPath;
        try
        {
            return new CreditModel(Scorecard.Load(path));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            throw new StartupException($"The credit model '{path}' could not be read: {e.Message}");
        }
    }
}
