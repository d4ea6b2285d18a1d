using System.Threading.Channels;

namespace Windmill.Jobs.Core.Concurrency;

/// <summary>
/// Group commit: concurrent single-item calls are run together as one batch. A few batches run at once;
/// calls arriving while they are busy gather into the next ones, so batches grow with load and a lone call
/// on an idle system goes out at once, alone. A batch is all-or-nothing (one statement or one implicit
/// transaction); when it fails, its items are run again one by one so each caller gets its own outcome
/// (one duplicate key fails only its own caller).
/// </summary>
public sealed class Coalescer<TIn, TOut>
{
    public delegate Task<IReadOnlyList<TOut>> BatchRunner(IReadOnlyList<TIn> items, CancellationToken ct);

    private readonly record struct Pending(TIn Item, TaskCompletionSource<TOut> Done);

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly BatchRunner _run;
    private readonly int _maxBatch;

    /// <param name="run">Runs a batch; returns one result per item, in the items' order.</param>
    /// <param name="maxBatch">Largest batch.</param>
    /// <param name="lanes">Batches in flight at once (each holds one database connection).</param>
    public Coalescer(BatchRunner run, int maxBatch, int lanes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        _run = run;
        _maxBatch = maxBatch;
        for (var i = 0; i < lanes; i++) _ = Task.Run(LaneAsync);
    }

    /// <summary>Runs one item within some batch. Canceling stops the wait, not a batch already sent.</summary>
    public Task<TOut> RunAsync(TIn item, CancellationToken ct = default)
    {
        var done = new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(new Pending(item, done))) throw new InvalidOperationException("coalescer is closed");
        return ct.CanBeCanceled ? done.Task.WaitAsync(ct) : done.Task;
    }

    private async Task LaneAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _pending.Reader.TryRead(out var p)) batch.Add(p);
            if (batch.Count == 0) continue;
            if (!await TryRunAsync(batch) && batch.Count > 1)
                foreach (var one in batch) await TryRunAsync([one]);
        }
    }

    /// <summary>Runs a batch and settles its callers; false (callers untouched) when a multi-item batch failed.</summary>
    private async Task<bool> TryRunAsync(IReadOnlyList<Pending> batch)
    {
        try
        {
            var results = await _run(batch.Select(p => p.Item).ToList(), CancellationToken.None);
            if (results.Count != batch.Count) throw new InvalidOperationException($"batch of {batch.Count} returned {results.Count} results");
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            return true;
        }
        catch (Exception e)
        {
            if (batch.Count > 1) return false;
            batch[0].Done.TrySetException(e);
            return true;
        }
    }
}
