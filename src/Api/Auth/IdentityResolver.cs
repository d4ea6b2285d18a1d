namespace Windmill.Jobs.Api.Auth;

/// <summary>
/// Builds the caller's identity inside one workspace: username and roles from the membership row,
/// groups (plus <c>all</c>), and the folders they may read, write and own (from folder ACLs; spec 1.3).
/// Superadmins who are not members act as workspace admins.
/// </summary>
public sealed class IdentityResolver(AuthCache cache, IServiceScopeFactory scopes, JobTokens jobTokens)
{
    public async ValueTask<WorkspaceIdentity> ResolveAsync(InstancePrincipal who, string workspaceId, CancellationToken ct)
    {
        if (who.TokenWorkspace is { } only && only != workspaceId)
            throw WindmillError.NotAuthorized($"this token is limited to workspace {only}");
        if (who.Job is { } job)
        {
            // A job acts as the identity snapshot in its token, and only while the job is queued or running.
            if (!await jobTokens.IsJobLiveAsync(job.JobId, ct))
                throw WindmillError.NotAuthorized($"the token of job {job.JobId} expired with its job");
            return job.ToIdentity();
        }
        if (cache.TryGetIdentity(who.TokenHash, workspaceId, out var cached)) return cached;
        var epoch = cache.Epoch;

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WindmillDb>();
        if (!await db.Workspaces.AsNoTracking().AnyAsync(w => w.Id == workspaceId && !w.Deleted, ct))
            throw WindmillError.NotFound($"workspace {workspaceId} not found");

        var member = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.WorkspaceId == workspaceId && u.Email == who.Email, ct);
        string username;
        bool isAdmin, isOperator;
        if (member is not null)
        {
            if (member.Disabled) throw WindmillError.NotAuthorized($"user {member.Username} is disabled in workspace {workspaceId}");
            (username, isAdmin, isOperator) = (member.Username, member.IsAdmin || who.IsSuperAdmin, member.Operator && !who.IsSuperAdmin);
        }
        else if (who.IsSuperAdmin)
        {
            (username, isAdmin, isOperator) = (who.FixedUsername ?? Names.UsernameFromEmail(who.Email), true, false);
        }
        else
        {
            throw WindmillError.NotAuthorized($"{who.Email} is not a member of workspace {workspaceId}");
        }

        var groups = await db.GroupMembers.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.Username == username)
            .Select(m => m.GroupName).ToListAsync(ct);
        groups.Add("all");
        var folders = await db.Folders.AsNoTracking()
            .Where(f => f.WorkspaceId == workspaceId)
            .Select(f => new { f.Name, f.Owners, f.ExtraPerms }).ToListAsync(ct);

        var groupSet = groups.ToHashSet();
        var probe = new WorkspaceIdentity(workspaceId, username, who.Email, isAdmin, isOperator, who.IsSuperAdmin,
            groupSet, new HashSet<string>(), new HashSet<string>(), new HashSet<string>());
        var principals = probe.Principals.ToHashSet();
        HashSet<string> read = [], write = [], owned = [];
        foreach (var f in folders)
        {
            var perms = ExtraPerms.FromJson(f.ExtraPerms);
            var isOwner = f.Owners.Any(principals.Contains);
            if (isOwner) owned.Add(f.Name);
            if (isOwner || perms.Grants(probe, write: true)) write.Add(f.Name);
            if (isOwner || perms.Grants(probe, write: false)) read.Add(f.Name);
        }

        var identity = probe with { FoldersRead = read, FoldersWrite = write, FoldersOwned = owned, Scopes = who.Scopes };
        cache.PutIdentity(who.TokenHash, identity, epoch);
        return identity;
    }
}
