using Windmill.Jobs.Core.Security;

namespace Windmill.Jobs.UnitTests;

public class PathPermissionsTests
{
    internal static WorkspaceIdentity Who(string user, bool admin = false, string[]? groups = null,
        string[]? read = null, string[]? write = null, string[]? owned = null) =>
        new("demo", user, user + "@x.test", admin, false, false,
            new HashSet<string>((groups ?? []).Append("all")),
            new HashSet<string>((read ?? []).Concat(write ?? [])),
            new HashSet<string>(write ?? []),
            new HashSet<string>(owned ?? []));

    [Fact]
    public void Own_user_path_is_readable_and_writable()
    {
        var alice = Who("alice");
        Assert.True(PathPermissions.CanRead(alice, "u/alice/x", null));
        Assert.True(PathPermissions.CanWrite(alice, "u/alice/x", null));
    }

    [Fact]
    public void Another_users_path_is_hidden()
    {
        var alice = Who("alice");
        Assert.False(PathPermissions.CanRead(alice, "u/bob/x", null));
        Assert.False(PathPermissions.CanWrite(alice, "u/bob/x", null));
    }

    [Fact]
    public void Folder_reader_reads_but_does_not_write()
    {
        var reader = Who("carol", read: ["etl"]);
        Assert.True(PathPermissions.CanRead(reader, "f/etl/x", null));
        Assert.False(PathPermissions.CanWrite(reader, "f/etl/x", null));
        Assert.False(PathPermissions.CanRead(reader, "f/other/x", null));
    }

    [Fact]
    public void Folder_writer_reads_and_writes()
    {
        var writer = Who("dave", write: ["etl"]);
        Assert.True(PathPermissions.CanRead(writer, "f/etl/x", null));
        Assert.True(PathPermissions.CanWrite(writer, "f/etl/x", null));
    }

    [Fact]
    public void Group_path_is_open_to_members_only()
    {
        Assert.True(PathPermissions.CanWrite(Who("erin", groups: ["ops"]), "g/ops/x", null));
        Assert.False(PathPermissions.CanRead(Who("frank"), "g/ops/x", null));
    }

    [Fact]
    public void Extra_perms_false_grants_read_only()
    {
        var perms = new ExtraPerms(new Dictionary<string, bool> { ["u/bob"] = false });
        Assert.True(PathPermissions.CanRead(Who("bob"), "u/alice/x", perms));
        Assert.False(PathPermissions.CanWrite(Who("bob"), "u/alice/x", perms));
    }

    [Fact]
    public void Extra_perms_true_grants_write_and_groups_count()
    {
        var perms = new ExtraPerms(new Dictionary<string, bool> { ["g/ops"] = true });
        Assert.True(PathPermissions.CanWrite(Who("erin", groups: ["ops"]), "u/alice/x", perms));
        Assert.False(PathPermissions.CanRead(Who("frank"), "u/alice/x", perms));
    }

    [Fact]
    public void Group_all_in_extra_perms_opens_to_everyone()
    {
        var perms = new ExtraPerms(new Dictionary<string, bool> { ["g/all"] = false });
        Assert.True(PathPermissions.CanRead(Who("frank"), "u/alice/x", perms));
    }

    [Fact]
    public void Admin_passes_every_check() =>
        Assert.True(PathPermissions.CanWrite(Who("root", admin: true), "u/alice/x", null));

    [Fact]
    public void Ownership_follows_the_path_owner()
    {
        Assert.True(PathPermissions.IsOwner(Who("alice"), "u/alice/x"));
        Assert.False(PathPermissions.IsOwner(Who("dave", write: ["etl"]), "f/etl/x"));
        Assert.True(PathPermissions.IsOwner(Who("olga", owned: ["etl"]), "f/etl/x"));
        Assert.True(PathPermissions.IsOwner(Who("erin", groups: ["ops"]), "g/ops/x"));
        Assert.True(PathPermissions.IsOwner(Who("root", admin: true), "u/alice/x"));
    }
}
