namespace Finsoft.Api.Infrastructure.Auth;

public static class Roles
{
    public const string Customer = "customer";
    public const string Viewer = "viewer";
    public const string Analyst = "analyst";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Customer, Viewer, Analyst, Admin];
}

/// <summary>
/// The permission matrix: each policy names the roles it admits, and every route group requires one
/// (the README's table is this one). Which rows a caller then sees is the data scope:
/// <see cref="CurrentUser.SeesEveryAccount"/> for staff, holdings for customers.
/// </summary>
public static class Policies
{
    /// <summary>Any signed-in user: reads, scoped to what the caller may see.</summary>
    public const string SignedIn = "signed-in";

    /// <summary>Act on one's own money: open and close accounts, destinations, transfers, withdrawals, reversals, holds.</summary>
    public const string MoveMoney = "move-money";

    /// <summary>Keep income/expense records and see their breakdowns (category totals, trends, recent activity): everyone but the read-only viewer.</summary>
    public const string Records = "records";

    /// <summary>Read the journal's proofs and (with records and reports) insights.</summary>
    public const string Insights = "insights";

    /// <summary>Credit: a customer asks for its own scores, offers and loans; analysts and admins act on customers' credit.</summary>
    public const string Credit = "credit";

    /// <summary>Everything else: users, roles, deposits, adjustments, limits, access grants, the audit trail.</summary>
    public const string Admin = "admin";

    /// <summary>
    /// A third-party provider's token (PSD2 account information, `/psd2/token`): not a role, so not in <see cref="RolesAllowed"/>;
    /// user tokens are refused (403), and TPP tokens are taken nowhere else.
    /// </summary>
    public const string Tpp = "tpp";

    /// <summary>A PSD2 consent's own TPP, or the customer it concerns (customer, admin): reading, validating and ending a consent.</summary>
    public const string TppOrHolder = "tpp-or-holder";

    public static readonly IReadOnlyDictionary<string, string[]> RolesAllowed = new Dictionary<string, string[]>
    {
        [SignedIn] = [Roles.Customer, Roles.Viewer, Roles.Analyst, Roles.Admin],
        [MoveMoney] = [Roles.Customer, Roles.Admin],
        [Records] = [Roles.Customer, Roles.Analyst, Roles.Admin],
        [Insights] = [Roles.Analyst, Roles.Admin],
        [Credit] = [Roles.Customer, Roles.Analyst, Roles.Admin],
        [Admin] = [Roles.Admin],
    };
}
