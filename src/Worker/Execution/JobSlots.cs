using Windmill.Jobs.Core.Telemetry;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>At most <c>NUM_WORKERS</c> jobs run at once in this process, whatever tags they come from.</summary>
public sealed class JobSlots
{
    private readonly int _size;
    private readonly SemaphoreSlim _free;

    public JobSlots(WorkerSettings settings)
    {
        _size = settings.NumWorkers;
        _free = new SemaphoreSlim(settings.NumWorkers, settings.NumWorkers);
        Instrumentation.Meter.CreateObservableGauge("wmj.worker.slots_busy", () => Busy, description: "job slots of this worker in use");
        Instrumentation.Meter.CreateObservableGauge("wmj.worker.slots_idle", () => _size - Busy, description: "job slots of this worker free");
    }

    public Task WaitAsync(CancellationToken ct) => _free.WaitAsync(ct);

    /// <summary>Takes a free slot if there is one, without waiting.</summary>
    public bool TryTake() => _free.Wait(0);
    public void Release() => _free.Release();
    public int Busy => _size - _free.CurrentCount;
}
