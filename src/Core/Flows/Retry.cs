namespace Windmill.Jobs.Core.Flows;

/// <summary>
/// A step's retry policy (spec 7.5): constant attempts first, then exponential ones. Failure number
/// <c>n</c> (0-based) waits <c>constant.seconds</c> while n &lt; constant.attempts, then
/// <c>multiplier * seconds^(k+1)</c> for the k-th exponential attempt, give or take <c>random_factor</c> percent.
/// </summary>
public sealed record Retry(int ConstantAttempts, double ConstantSeconds, int ExponentialAttempts, double Multiplier, double ExponentialSeconds,
    int RandomFactor, string? RetryIf)
{
    /// <summary>Longest wait between attempts, as Windmill caps it.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromHours(6);

    /// <summary>The wait before retrying after failure number <paramref name="failures"/> (0-based), or null: no more attempts.</summary>
    public TimeSpan? DelayAfter(int failures, Random? random = null)
    {
        if (failures < ConstantAttempts) return Cap(ConstantSeconds);
        var k = failures - ConstantAttempts;
        if (k >= ExponentialAttempts) return null;
        var seconds = Multiplier * Math.Pow(ExponentialSeconds, k + 1);
        if (RandomFactor > 0)
        {
            var spread = seconds * RandomFactor / 100.0;
            seconds += ((random ?? Random.Shared).NextDouble() * 2 - 1) * spread;
        }
        return Cap(seconds);
    }

    private static TimeSpan Cap(double seconds) =>
        TimeSpan.FromSeconds(Math.Clamp(seconds, 0, MaxInterval.TotalSeconds));
}
