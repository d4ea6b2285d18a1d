namespace Windmill.Jobs.IntegrationTests.Infrastructure;

/// <summary>A fresh workspace per test class, with users who log in with a password as real users do.</summary>
public sealed class TestWorkspace
{
    private readonly ServicesFixture _services;

    private TestWorkspace(ServicesFixture services, string id) => (_services, Id) = (services, id);

    public string Id { get; }

    /// <summary>The superadmin (SUPERADMIN_SECRET), an admin of every workspace.</summary>
    public ApiClient Superadmin => _services.Superadmin;

    /// <summary>Prefix for workspace routes: <c>w/{id}/</c>.</summary>
    public string W => $"w/{Id}/";

    public static async Task<TestWorkspace> CreateAsync(ServicesFixture services, string prefix)
    {
        var id = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        var reply = await services.Superadmin.Post("workspaces/create", new { id, name = prefix });
        Assert.True(reply.Status == 201, reply.ToString());
        return new TestWorkspace(services, id);
    }

    public string EmailOf(string username) => $"{username}.{Id}@example.test";

    /// <summary>Creates an instance user, adds them to the workspace and returns a client logged in as them.</summary>
    public async Task<ApiClient> AddUserAsync(string username, bool isAdmin = false, bool isOperator = false)
    {
        var email = EmailOf(username);
        const string password = "pw-" + "correct-horse";
        var created = await Superadmin.Post("users/create", new { email, password, super_admin = false, name = username });
        Assert.True(created.Status == 201, created.ToString());
        var added = await Superadmin.Post(W + "workspaces/add_user", new { email, username, is_admin = isAdmin, @operator = isOperator });
        Assert.True(added.Status == 201, added.ToString());
        var login = await new ApiClient(_services.BaseUrl, null).Post("auth/login", new { email, password });
        Assert.True(login.Status == 200, login.ToString());
        return new ApiClient(_services.BaseUrl, login.Body);
    }
}
