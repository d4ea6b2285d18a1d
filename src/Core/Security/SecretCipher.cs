using System.Security.Cryptography;
using System.Text;

namespace Windmill.Jobs.Core.Security;

/// <summary>
/// The cipher of Windmill's secret variables (magic-crypt's MagicCrypt256, spec 2.2):
/// AES-256-CBC, PKCS7 padding, an all-zero IV, key = SHA-256 of the UTF-8 key string; ciphertext in
/// standard Base64. The key string is the workspace key (plus <c>SECRET_SALT</c> when set).
/// </summary>
public sealed class SecretCipher
{
    private readonly byte[] _key;

    public SecretCipher(string keyString) => _key = SHA256.HashData(Encoding.UTF8.GetBytes(keyString));

    public string Encrypt(string plaintext)
    {
        using var aes = Create();
        return Convert.ToBase64String(aes.EncryptCbc(Encoding.UTF8.GetBytes(plaintext), new byte[16], PaddingMode.PKCS7));
    }

    /// <summary>Decrypts, or throws <see cref="CryptographicException"/> when the text is not ciphertext of this key.</summary>
    public string Decrypt(string ciphertext)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(ciphertext); }
        catch (FormatException e) { throw new CryptographicException("ciphertext is not base64", e); }
        using var aes = Create();
        return Encoding.UTF8.GetString(aes.DecryptCbc(bytes, new byte[16], PaddingMode.PKCS7));
    }

    private Aes Create()
    {
        var aes = Aes.Create();
        aes.Key = _key;
        return aes;
    }
}
