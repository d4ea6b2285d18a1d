using System.Security.Cryptography;
using Windmill.Jobs.Core.Security;

namespace Windmill.Jobs.UnitTests;

public class SecretCipherTests
{
    [Fact]
    public void Matches_magic_crypt_test_vector() =>
        Assert.Equal("DS/2U8royDnJDiNY2ps3f6ZoTbpZo8ZtUGYLGEjwLDQ=", new SecretCipher("magickey").Encrypt("http://magiclen.org"));

    [Fact]
    public void Decrypts_what_it_encrypts() =>
        Assert.Equal("pässwörd ✓", new SecretCipher("k").Decrypt(new SecretCipher("k").Encrypt("pässwörd ✓")));

    [Fact]
    public void Another_key_cannot_decrypt() =>
        Assert.ThrowsAny<CryptographicException>(() => new SecretCipher("k2").Decrypt(new SecretCipher("k1").Encrypt("secret value here")));

    [Fact]
    public void Password_hash_verifies_only_the_right_password()
    {
        var hash = PasswordHash.Hash("changeme");
        Assert.True(PasswordHash.Verify("changeme", hash));
        Assert.False(PasswordHash.Verify("changeMe", hash));
        Assert.DoesNotContain("changeme", hash);
    }
}
