namespace Finsoft.Api.Infrastructure.Auth;

public static class Roles
{
    public const string Customer = "customer";
    public const string Viewer = "viewer";
    public const string Analyst = "analyst";
    public const string Admin = "admin";

    public static readonly string[] All = [Customer, Viewer, Analyst, Admin];
}

public static class Policies
{
    public const string Admin = "admin";
}
