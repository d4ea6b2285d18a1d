using System.Security.Cryptography;
using System.Text;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>
/// A script version's id: 63 bits shown as 16 lowercase hex characters, as Windmill's hashes are.
/// Computed from the workspace, path, content, language and parent, plus a nonce so a re-deploy of the
/// same content still gets a new version.
/// </summary>
public static class ScriptHash
{
    public static long Compute(string workspace, string path, string content, string language, long? parent, Guid nonce)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{workspace}\n{path}\n{language}\n{parent}\n{nonce}\n{content}"));
        return BitConverter.ToInt64(bytes, 0) & long.MaxValue;
    }

    public static string ToHex(long hash) => hash.ToString("x16");

    public static bool TryParse(string? hex, out long hash)
    {
        hash = 0;
        return hex is { Length: > 0 and <= 16 } && long.TryParse(hex, System.Globalization.NumberStyles.HexNumber, null, out hash) && hash >= 0;
    }
}
