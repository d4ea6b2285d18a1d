using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using Windmill.Jobs.Core.Security;
using Windmill.Jobs.Store.Model;

namespace Windmill.Jobs.Store;

/// <summary>
/// Brings a database up to date at start-up: applies migrations and seeds the instance. Several API
/// replicas may start at once, so the whole step runs under one PostgreSQL advisory lock.
/// </summary>
public sealed class StoreSetup(NpgsqlDataSource dataSource, DbContextOptions<WindmillDb> options, ILogger<StoreSetup> log)
{
    public const string AdminsWorkspace = "admins";
    public const string DefaultAdminEmail = "admin@windmill.dev";
    private const long MigrationLockKey = 0x5749_4E44_4D49_4C4C; // "WINDMILL"

    public async Task RunAsync(CancellationToken ct)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", lockConnection))
            await take.ExecuteNonQueryAsync(ct);
        try
        {
            await using var db = new WindmillDb(options);
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            if (pending.Count > 0)
            {
                log.LogInformation("applying migrations {Migrations}", string.Join(", ", pending));
                await db.Database.MigrateAsync(ct);
            }
            await SeedAsync(db, ct);
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey})", lockConnection);
            await release.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>First start: the <c>admins</c> workspace, the default superadmin, the global resource types.</summary>
    private async Task SeedAsync(WindmillDb db, CancellationToken ct)
    {
        if (!await db.Workspaces.AnyAsync(w => w.Id == AdminsWorkspace, ct))
        {
            log.LogInformation("seeding a fresh instance: workspace {Workspace}, user {Email}", AdminsWorkspace, DefaultAdminEmail);
            db.Workspaces.Add(new Workspace { Id = AdminsWorkspace, Name = "Admins", Owner = DefaultAdminEmail, CreatedAt = DateTime.UtcNow });
            db.WorkspaceKeys.Add(new WorkspaceKey { WorkspaceId = AdminsWorkspace, Key = NewWorkspaceKey() });
            if (!await db.InstanceUsers.AnyAsync(u => u.Email == DefaultAdminEmail, ct))
                db.InstanceUsers.Add(new InstanceUser
                {
                    Email = DefaultAdminEmail, PasswordHash = PasswordHash.Hash("changeme"), SuperAdmin = true,
                    Name = "Admin", CreatedAt = DateTime.UtcNow,
                });
            db.Users.Add(new WorkspaceUser { WorkspaceId = AdminsWorkspace, Username = "admin", Email = DefaultAdminEmail, IsAdmin = true, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(ct);
        }

        // The key that signs job tokens, shared by every API replica and worker.
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO instance_secret (name, value) VALUES ({0}, {1}) ON CONFLICT (name) DO NOTHING",
            [InstanceSecrets.JobTokenKey, RandomNumberGenerator.GetBytes(32)], ct);

        var existing = await db.ResourceTypes.Where(t => t.WorkspaceId == AdminsWorkspace).Select(t => t.Name).ToListAsync(ct);
        var catalogue = JsonNode.Parse(ReadSeed("resource_types.json"))!.AsObject();
        foreach (var (name, entry) in catalogue)
        {
            if (existing.Contains(name)) continue; // an admin's edits win over the catalogue
            db.ResourceTypes.Add(new ResourceType
            {
                WorkspaceId = AdminsWorkspace, Name = name, Schema = entry!["schema"]!.ToJsonString(),
                Description = entry["description"]?.GetValue<string>(), CreatedBy = "admin", EditedAt = DateTime.UtcNow,
            });
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A fresh workspace key string: 64 random hex characters.</summary>
    public static string NewWorkspaceKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string ReadSeed(string file)
    {
        var assembly = typeof(StoreSetup).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + file, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        return new StreamReader(stream).ReadToEnd();
    }
}
