using Windmill.Jobs.Core.Concurrency;

namespace Windmill.Jobs.UnitTests;

/// <summary>Group commit of concurrent calls: batching under load, order of results, and failures kept to their owner.</summary>
public class CoalescerTests
{
    [Fact]
    public async Task Calls_made_while_a_batch_runs_go_out_together_and_each_gets_its_own_result()
    {
        var release = new TaskCompletionSource();
        var sizes = new List<int>();
        var coalescer = new Coalescer<int, int>(async (items, _) =>
        {
            lock (sizes) sizes.Add(items.Count);
            if (items.Contains(0)) await release.Task; // the first batch holds the only lane
            return items.Select(i => i * 10).ToList();
        }, maxBatch: 100, lanes: 1);

        var first = coalescer.RunAsync(0);
        await WaitUntil(() => sizes.Count == 1);
        var rest = Enumerable.Range(1, 50).Select(i => coalescer.RunAsync(i)).ToList();
        release.SetResult();

        Assert.Equal(0, await first);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => i * 10), await Task.WhenAll(rest));
        Assert.Equal([1, 50], sizes);
    }

    [Fact]
    public async Task A_batch_never_exceeds_its_limit()
    {
        var release = new TaskCompletionSource();
        var sizes = new List<int>();
        var coalescer = new Coalescer<int, int>(async (items, _) =>
        {
            lock (sizes) sizes.Add(items.Count);
            await release.Task;
            return items;
        }, maxBatch: 8, lanes: 1);

        var first = coalescer.RunAsync(-1);
        await WaitUntil(() => sizes.Count == 1);
        var rest = Enumerable.Range(0, 20).Select(i => coalescer.RunAsync(i)).ToList();
        release.SetResult();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal([1, 8, 8, 4], sizes);
    }

    [Fact]
    public async Task A_failing_batch_is_split_so_only_the_bad_item_fails()
    {
        var release = new TaskCompletionSource();
        var calls = 0;
        var coalescer = new Coalescer<int, string>(async (items, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1) await release.Task;
            if (items.Contains(13)) throw new InvalidOperationException("duplicate 13");
            return items.Select(i => $"ok {i}").ToList();
        }, maxBatch: 100, lanes: 1);

        var first = coalescer.RunAsync(1);
        await WaitUntil(() => Volatile.Read(ref calls) == 1);
        var good = coalescer.RunAsync(12);
        var bad = coalescer.RunAsync(13);
        var alsoGood = coalescer.RunAsync(14);
        release.SetResult();

        Assert.Equal("ok 1", await first);
        Assert.Equal("ok 12", await good);
        Assert.Equal("ok 14", await alsoGood);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal("duplicate 13", error.Message);
    }

    [Fact]
    public async Task A_runner_that_returns_the_wrong_number_of_results_fails_the_callers()
    {
        var coalescer = new Coalescer<int, int>((_, _) => Task.FromResult<IReadOnlyList<int>>([]), maxBatch: 10, lanes: 1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => coalescer.RunAsync(1));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
