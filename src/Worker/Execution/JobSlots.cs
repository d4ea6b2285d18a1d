using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>At most <c>NUM_WORKERS</c> jobs run at once in this process, whatever tags they come from.</summary>
public sealed class JobSlots(WorkerSettings settings)
{
    private readonly SemaphoreSlim _free = new(settings.NumWorkers, settings.NumWorkers);

    public Task WaitAsync(CancellationToken ct) => _free.WaitAsync(ct);
    public void Release() => _free.Release();
    public int Busy => settings.NumWorkers - _free.CurrentCount;
}
