namespace Finsoft.Api.Infrastructure.Auth;

/// <summary>The roles the schema allows; viewer and analyst gain their permissions with the access-control issue.</summary>
public static class Roles
{
    public const string Customer = "customer";
    public const string Viewer = "viewer";
    public const string Analyst = "analyst";
    public const string Admin = "admin";
}

public static class Policies
{
    public const string Admin = "admin";
}
