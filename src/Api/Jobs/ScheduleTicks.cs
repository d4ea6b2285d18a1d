using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Windmill.Jobs.Core.Schedules;

namespace Windmill.Jobs.Api.Jobs;

/// <summary>
/// Pushes schedule ticks (spec 8.3): the next firing of a schedule becomes a future job with the schedule
/// context (<c>created_by = schedule-…</c>, the editor's identity, <c>trigger</c> = the schedule path).
/// A tick is a row of <c>schedule_tick</c> keyed by (schedule, time), written with its job in one
/// transaction, so a tick is pushed once however many replicas or retries try. The leader calls
/// <see cref="EnsureAllAsync"/> whenever it wakes: a schedule whose pending tick came due (or that has none,
/// e.g. after an outage) gets its next one, computed from now, so missed ticks run once, not once each.
/// </summary>
public sealed class ScheduleTicks(IServiceScopeFactory scopes, IdentityResolver identities, ILogger<ScheduleTicks> log)
{
    /// <summary>Past ticks are kept this long (for diagnosis: which job was which tick), then pruned.</summary>
    private const int TicksKeptHours = 1;

    /// <summary>Pushes the next tick of every enabled schedule that has no tick in the future.</summary>
    public async Task EnsureAllAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WindmillDb>();
        var due = await db.Schedules.FromSql($"""
            SELECT * FROM schedule s WHERE s.enabled AND NOT EXISTS (
                SELECT 1 FROM schedule_tick t WHERE t.workspace_id = s.workspace_id AND t.path = s.path AND t.tick_at > now())
            """).AsNoTracking().ToListAsync(ct);
        foreach (var s in due)
        {
            try { await PushNextAsync(db, s, await EditorAsync(s, ct), ct); }
            catch (WindmillError e)
            {
                // The schedule cannot fire (its script was deleted, its editor left): say so on the schedule.
                log.LogWarning("schedule {Path} in {Workspace} cannot push its next tick: {Message}", s.Path, s.WorkspaceId, e.Message);
                await db.Database.ExecuteSqlAsync(
                    $"UPDATE schedule SET error = {e.Message} WHERE workspace_id = {s.WorkspaceId} AND path = {s.Path}", ct);
            }
        }
    }

    /// <summary>Pushes the schedule's next tick as <paramref name="identity"/> (the editor), unless it has none left or it is pushed already.</summary>
    public async Task PushNextAsync(WindmillDb db, Schedule s, WorkspaceIdentity identity, CancellationToken ct)
    {
        var cron = CronSchedule.Parse(s.Cron, s.CronVersion);
        var zone = CronSchedule.Zone(s.Timezone);
        var lastTick = await db.Database.SqlQuery<DateTime?>(
            $"SELECT max(tick_at) AS \"Value\" FROM schedule_tick WHERE workspace_id = {s.WorkspaceId} AND path = {s.Path}").SingleAsync(ct);
        var from = new[] { DateTime.UtcNow, s.PausedUntil ?? DateTime.MinValue, lastTick ?? DateTime.MinValue }.Max();
        if (cron.NextAfter(from, zone) is not { } next) return;

        var job = await JobOfAsync(db, s, identity, next, ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var npgsqlTx = (NpgsqlTransaction)tx.GetDbTransaction();
        await using var tick = new NpgsqlCommand("""
            INSERT INTO schedule_tick (workspace_id, path, tick_at, job_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
            """, conn, npgsqlTx);
        foreach (var v in new object[] { s.WorkspaceId, s.Path, next, job.Id }) tick.Parameters.Add(new NpgsqlParameter { Value = v });
        if (await tick.ExecuteNonQueryAsync(ct) == 0) return; // someone pushed this tick already
        await JobQueueWriter.EnqueueAsync([job], conn, npgsqlTx, ct);
        // The schedule's error is cleared, and ticks past the retention window pruned: the next tick is computed
        // from now or later, so only the newest row matters; a schedule firing every second would otherwise add
        // 86,400 rows a day for ever.
        foreach (var sql in new[]
                 {
                     "UPDATE schedule SET error = NULL WHERE workspace_id = $1 AND path = $2",
                     $"DELETE FROM schedule_tick WHERE workspace_id = $1 AND path = $2 AND tick_at < now() - interval '{TicksKeptHours} hours'",
                 })
        {
            await using var cmd = new NpgsqlCommand(sql, conn, npgsqlTx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = s.WorkspaceId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = s.Path });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Removes the ticks not yet started (disable, update, delete): their queued jobs and their tick rows.</summary>
    public static async Task RemovePendingAsync(WindmillDb db, string workspace, string path, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"""
            WITH pending AS (
                SELECT q.id FROM v2_job_queue q JOIN v2_job j ON j.id = q.id
                WHERE j.workspace_id = {workspace} AND j.trigger_kind = 'schedule' AND j.trigger = {path} AND j.parent_job IS NULL
                  AND NOT q.running
            ), ticks AS (
                DELETE FROM schedule_tick WHERE workspace_id = {workspace} AND path = {path} AND job_id IN (SELECT id FROM pending)
            )
            DELETE FROM v2_job WHERE id IN (SELECT id FROM pending)
            """, ct);
    }

    /// <summary>The job of one tick: the live script or flow, or a one-step flow when a script schedule has a retry policy.</summary>
    private static async Task<NewJob> JobOfAsync(WindmillDb db, Schedule s, WorkspaceIdentity identity, DateTime at, CancellationToken ct)
    {
        var args = s.Args ?? "{}";
        string kind, tag;
        long? hash = null;
        string? language = null, rawFlow = null;
        int? timeout = null;
        short? priority = null;
        if (s.IsFlow)
        {
            var flow = await db.Flows.AsNoTracking().FirstOrDefaultAsync(f => f.WorkspaceId == s.WorkspaceId && f.Path == s.ScriptPath && !f.Archived, ct)
                       ?? throw WindmillError.NotFound($"Flow {s.ScriptPath} not found");
            (kind, tag, rawFlow, timeout, priority) = (JobKind.Flow, s.Tag ?? flow.Tag ?? "flow", flow.Value, flow.Timeout, flow.Priority);
        }
        else
        {
            var script = await db.Scripts.AsNoTracking()
                             .FirstOrDefaultAsync(x => x.WorkspaceId == s.WorkspaceId && x.Path == s.ScriptPath && !x.Archived && !x.Deleted, ct)
                         ?? throw WindmillError.NotFound($"Script {s.ScriptPath} not found");
            (kind, tag, hash, language, timeout, priority) =
                (JobKind.Script, s.Tag ?? script.Tag ?? script.Language, script.Hash, script.Language, script.Timeout, script.Priority);
            if (s.Retry is { } retry)
            {
                // Retries live in flows (spec 8.3 step 3): one step running the script with the schedule's args.
                var inputs = new JsonObject();
                foreach (var (name, value) in JsonNode.Parse(args)!.AsObject())
                    inputs[name] = new JsonObject { ["type"] = "static", ["value"] = value?.DeepClone() };
                var step = new JsonObject
                {
                    ["id"] = "a",
                    ["value"] = new JsonObject { ["type"] = "script", ["path"] = s.ScriptPath, ["input_transforms"] = inputs },
                    ["retry"] = JsonNode.Parse(retry),
                };
                (kind, tag, rawFlow, hash, language) = (JobKind.Flow, "flow", new JsonObject { ["modules"] = new JsonArray(step) }.ToJsonString(), null, null);
            }
        }
        return new NewJob(Guid.CreateVersion7(), s.WorkspaceId, kind, StatePath.ScheduleUser(s.Path), "u/" + s.EditedBy, s.Email, hash, s.ScriptPath,
            language, null, args, tag, priority, timeout, at, identity, Trigger: s.Path, TriggerKind: "schedule", RawFlow: rawFlow);
    }

    /// <summary>The identity ticks run as: the schedule's last editor, with their current permissions.</summary>
    private async Task<WorkspaceIdentity> EditorAsync(Schedule s, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WindmillDb>();
        var superAdmin = s.Email == InstancePrincipal.SuperadminSecretEmail
                         || await db.InstanceUsers.AsNoTracking().AnyAsync(u => u.Email == s.Email && u.SuperAdmin, ct);
        var principal = new InstancePrincipal(s.Email, superAdmin, null, null, "schedule:" + s.WorkspaceId + ":" + s.Path, s.EditedBy);
        return await identities.ResolveAsync(principal, s.WorkspaceId, ct);
    }
}
