using System.Security.Cryptography;
using System.Text;

namespace Windmill.Jobs.Core.Security;

/// <summary>
/// User API tokens: random alphanumeric strings shown once; the store keeps only their SHA-256 hash
/// and a short prefix to name them in listings and deletes.
/// </summary>
public static class ApiToken
{
    public const int PrefixLength = 10;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, 32);

    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string PrefixOf(string token) => token.Length <= PrefixLength ? token : token[..PrefixLength];
}
