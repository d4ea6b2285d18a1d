using System.Text;
using Microsoft.EntityFrameworkCore;
using Windmill.Jobs.Store.Model;

namespace Windmill.Jobs.Store;

/// <summary>The PostgreSQL store. Columns are the snake_case of the property names.</summary>
public sealed class WindmillDb(DbContextOptions<WindmillDb> options) : DbContext(options)
{
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<WorkspaceKey> WorkspaceKeys => Set<WorkspaceKey>();
    public DbSet<InstanceUser> InstanceUsers => Set<InstanceUser>();
    public DbSet<WorkspaceUser> Users => Set<WorkspaceUser>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<Folder> Folders => Set<Folder>();
    public DbSet<Token> Tokens => Set<Token>();
    public DbSet<Variable> Variables => Set<Variable>();
    public DbSet<Resource> Resources => Set<Resource>();
    public DbSet<ResourceType> ResourceTypes => Set<ResourceType>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<Script> Scripts => Set<Script>();
    public DbSet<Flow> Flows => Set<Flow>();
    public DbSet<FlowVersion> FlowVersions => Set<FlowVersion>();
    public DbSet<Schedule> Schedules => Set<Schedule>();
    public DbSet<WorkspaceSettings> WorkspaceSettings => Set<WorkspaceSettings>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Workspace>().ToTable("workspace").HasKey(x => x.Id);
        b.Entity<WorkspaceKey>().ToTable("workspace_key").HasKey(x => new { x.WorkspaceId, x.Kind });
        b.Entity<InstanceUser>().ToTable("password").HasKey(x => x.Email);
        b.Entity<WorkspaceUser>().ToTable("usr").HasKey(x => new { x.WorkspaceId, x.Username });
        b.Entity<Group>().ToTable("group_").HasKey(x => new { x.WorkspaceId, x.Name });
        b.Entity<GroupMember>().ToTable("usr_to_group").HasKey(x => new { x.WorkspaceId, x.GroupName, x.Username });
        b.Entity<GroupMember>().Property(x => x.GroupName).HasColumnName("group_");
        b.Entity<GroupMember>().Property(x => x.Username).HasColumnName("usr");
        b.Entity<Folder>().ToTable("folder").HasKey(x => new { x.WorkspaceId, x.Name });
        b.Entity<Token>().ToTable("token").HasKey(x => x.TokenHash);
        b.Entity<Variable>().ToTable("variable").HasKey(x => new { x.WorkspaceId, x.Path });
        b.Entity<Resource>().ToTable("resource").HasKey(x => new { x.WorkspaceId, x.Path });
        b.Entity<ResourceType>().ToTable("resource_type").HasKey(x => new { x.WorkspaceId, x.Name });
        b.Entity<AuditEntry>().ToTable("audit").HasKey(x => x.Id);
        b.Entity<Script>().ToTable("script").HasKey(x => new { x.WorkspaceId, x.Hash });
        b.Entity<Script>().Property(x => x.Schema).HasColumnType("jsonb");
        b.Entity<Script>().Property(x => x.ExtraPerms).HasColumnType("jsonb");
        b.Entity<Flow>().ToTable("flow").HasKey(x => new { x.WorkspaceId, x.Path });
        b.Entity<Flow>().Property(x => x.Value).HasColumnType("jsonb");
        b.Entity<Flow>().Property(x => x.Schema).HasColumnType("jsonb");
        b.Entity<Flow>().Property(x => x.ExtraPerms).HasColumnType("jsonb");
        b.Entity<FlowVersion>().ToTable("flow_version").HasKey(x => x.Id);
        b.Entity<Schedule>().ToTable("schedule").HasKey(x => new { x.WorkspaceId, x.Path });
        b.Entity<WorkspaceSettings>().ToTable("workspace_settings").HasKey(x => x.WorkspaceId);
        b.Entity<WorkspaceSettings>().Property(x => x.LargeFileStorage).HasColumnType("jsonb");
        b.Entity<Schedule>().Property(x => x.Cron).HasColumnName("schedule");
        foreach (var json in new[] { "Args", "ExtraPerms", "OnFailureExtraArgs", "OnRecoveryExtraArgs", "OnSuccessExtraArgs", "Retry" })
            b.Entity<Schedule>().Property(json).HasColumnType("jsonb");
        b.Entity<FlowVersion>().Property(x => x.Value).HasColumnType("jsonb");
        b.Entity<FlowVersion>().Property(x => x.Schema).HasColumnType("jsonb");

        b.Entity<Group>().Property(x => x.ExtraPerms).HasColumnType("jsonb");
        b.Entity<Folder>().Property(x => x.ExtraPerms).HasColumnType("jsonb");
        b.Entity<Variable>().Property(x => x.ExtraPerms).HasColumnType("jsonb");
        b.Entity<Resource>().Property(x => x.ExtraPerms).HasColumnType("jsonb");
        b.Entity<Resource>().Property(x => x.Value).HasColumnType("jsonb");
        b.Entity<ResourceType>().Property(x => x.Schema).HasColumnType("jsonb");
        b.Entity<AuditEntry>().Property(x => x.Parameters).HasColumnType("jsonb");

        // Foreign keys as in the SQL, so EF orders inserts (a workspace before its members, ...).
        b.Entity<WorkspaceKey>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<WorkspaceUser>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<Group>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<GroupMember>().HasOne<Group>().WithMany().HasForeignKey(x => new { x.WorkspaceId, x.GroupName });
        b.Entity<Folder>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<Variable>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<Resource>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<ResourceType>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<Script>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<Flow>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<Schedule>().HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId);
        b.Entity<FlowVersion>().HasOne<Flow>().WithMany().HasForeignKey(x => new { x.WorkspaceId, x.Path });

        foreach (var entity in b.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                if (property.GetColumnName() == property.Name)
                    property.SetColumnName(SnakeCase(property.Name));
    }

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
