using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>At most <c>NUM_WORKERS</c> jobs run at once in this process, whatever tags they come from.</summary>
public sealed class JobSlots(WorkerSettings settings)
{
    private readonly SemaphoreSlim _free = new(settings.NumWorkers, settings.NumWorkers);

    public Task WaitAsync(CancellationToken ct) => _free.WaitAsync(ct);

    /// <summary>Takes a free slot if there is one, without waiting.</summary>
    public bool TryTake() => _free.Wait(0);
    public void Release() => _free.Release();
    public int Busy => settings.NumWorkers - _free.CurrentCount;
}
