using Finsoft.Api.MoneyPath.Idempotency;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Finsoft.Api.Host;

public static class OpenApiSetup
{
    public static IServiceCollection AddFinsoftOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", openApi =>
        {
            // Use-case types are nested (Transfer.Request, Register.Request): name schemas after their use case so they stay distinct.
            openApi.CreateSchemaReferenceId = type => type.Type.IsNested && OpenApiOptions.CreateDefaultSchemaReferenceId(type) is { } name
                ? type.Type.DeclaringType!.Name + name
                : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Finsoft API";
                document.Info.Description = "Wallets, transfers, withdrawals and a double-entry journal that proves itself.";
                document.Info.Contact = new OpenApiContact { Name = "Finsoft" };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                };
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/'); // the paths begin with one
                }
                return Task.CompletedTask;
            });
            openApi.AddOperationTransformer((operation, context, _) =>
                OpenApiOperations.DescribeAsync(operation, context, new OpenApiSecuritySchemeReference("Bearer", context.Document)));
            openApi.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotencyHeaderMetadata>().Any())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = IdempotencyTicket.HeaderName,
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "Same key and body replays the first response; a different body is refused with 422.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                    });
                }
                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapFinsoftOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "api/v1/swagger";
            ui.SwaggerEndpoint("/openapi/v1.json", "Finsoft v1");
        });
        return app;
    }
}
