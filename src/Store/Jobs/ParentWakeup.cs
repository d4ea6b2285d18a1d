using Npgsql;

namespace Windmill.Jobs.Store.Jobs;

/// <summary>
/// Wakes the flows whose steps just completed, in the completing transaction. A flow waiting on its steps is
/// parked (running, no claim); a step's completion puts it back in the queue so a worker advances it.
/// The parent row is locked first, in id order: if a worker is advancing the flow at that moment, the
/// completion waits for it to park, then wakes it, so no completion is missed; and a worker that locks the
/// flow after the completion committed sees the step as completed.
/// </summary>
public static class ParentWakeup
{
    /// <summary>Adds the lock and the wake statements for the parents of <paramref name="childIds"/> to a batch.</summary>
    public static void AddTo(NpgsqlBatch batch, Guid[] childIds)
    {
        var lockParents = new NpgsqlBatchCommand("""
            SELECT p.id FROM v2_job_queue p
            WHERE p.id IN (SELECT parent_job FROM v2_job WHERE id = ANY($1) AND parent_job IS NOT NULL)
            ORDER BY p.id FOR UPDATE
            """);
        lockParents.Parameters.Add(new NpgsqlParameter { Value = childIds });
        batch.BatchCommands.Add(lockParents);
        var wake = new NpgsqlBatchCommand("""
            UPDATE v2_job_queue p SET running = false, claim_id = NULL, worker = NULL, dispatched_at = NULL
            WHERE p.id IN (SELECT j.parent_job FROM v2_job j JOIN v2_job_completed c ON c.id = j.id WHERE j.id = ANY($1))
              AND p.running AND p.claim_id IS NULL
            RETURNING p.id, p.tag, p.priority
            """);
        wake.Parameters.Add(new NpgsqlParameter { Value = childIds });
        batch.BatchCommands.Add(wake);
    }

    /// <summary>Reads the woken parents, once the reader has consumed the statements before <see cref="AddTo"/>'s.</summary>
    public static async Task<IReadOnlyList<DispatchItem>> ReadAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        await r.NextResultAsync(ct); // the lock
        await r.NextResultAsync(ct); // the wake
        var woken = new List<DispatchItem>();
        while (await r.ReadAsync(ct)) woken.Add(new DispatchItem(r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt16(2)));
        return woken;
    }
}
